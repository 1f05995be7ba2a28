package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Padding;
import io.penni.api.model.Tensor;

class ModelCounterTest {

    /** Within 2% of a published figure. */
    private static void assertNear(double published, long counted, String what) {
        assertEquals(published, counted, published * 0.02, what + ": counted " + counted + ", published " + published);
    }

    @Test
    void vgg16CifarMatchesThePublishedCounts() {
        ModelCount count = ModelCounter.count(Architectures.network("vgg16-cifar"));
        assertNear(313e6, count.macs(), "MACs");
        assertNear(14.7e6, count.params(), "params");
    }

    @Test
    void resnet18CifarMatchesThePublishedCounts() {
        ModelCount count = ModelCounter.count(Architectures.network("resnet18-cifar"));
        assertNear(556e6, count.macs(), "MACs");
        assertNear(11.2e6, count.params(), "params");
    }

    @Test
    void resnet56CifarMatchesThePublishedCounts() {
        ModelCount count = ModelCounter.count(Architectures.network("resnet56-cifar"));
        assertNear(125e6, count.macs(), "MACs");
        assertNear(0.85e6, count.params(), "params");
    }

    @Test
    void resnet50MatchesThePublishedCounts() {
        ModelCount count = ModelCounter.count(Architectures.network("resnet50"));
        assertNear(4.1e9, count.macs(), "MACs");
        assertNear(25.6e6, count.params(), "params");
    }

    @Test
    void alexnetMatchesThePublishedCounts() {
        ModelCount count = ModelCounter.count(Architectures.network("alexnet"));
        assertNear(0.71e9, count.macs(), "MACs");
        assertNear(61.1e6, count.params(), "params");
    }

    @Test
    void denseConvolutionCountsWeightsBiasAndMacsPerOutputPixel() {
        // 8 outputs from 4 inputs, 3×3, stride 2 on 10×10 with padding 1: 5×5 outputs
        ModelCount count = ModelCounter.count(new Network("t", List.of(new Layer.Input("in", 4, 10, 10),
                new Layer.Conv2d("conv", "in", 8, 4, 3, 2, 1, 1, true)), "conv"));
        LayerCount conv = count.layers().get(1);
        assertEquals(8 * 4 * 9 + 8, conv.params());
        assertEquals(8L * 4 * 9 * 25, conv.macs());
        assertEquals(2 * conv.macs(), conv.flops());
        assertEquals(4L * 8 * 25, conv.activationBytes());
    }

    @Test
    void perSidePaddingCountsTheOutputPixelsItGives() {
        // 10×10, 3×3 stride 2 padded [0, 0, 1, 1]: 5×5 outputs, where no padding gives 4×4
        ModelCount count = ModelCounter.count(new Network("t", List.of(new Layer.Input("in", 4, 10, 10),
                new Layer.Conv2d("conv", "in", 8, 4, 3, 2, new Padding(0, 0, 1, 1), 1, true)), "conv"));
        assertEquals(8L * 4 * 9 * 25, count.layers().get(1).macs());
    }

    @Test
    void groupedConvolutionCountsOnlyItsGroupsInputs() {
        ModelCount count = ModelCounter.count(new Network("t", List.of(new Layer.Input("in", 4, 6, 6),
                new Layer.Conv2d("conv", "in", 8, 4, 3, 1, 1, 4, false)), "conv"));
        assertEquals(8 * 1 * 9, count.params());
        assertEquals(8L * 9 * 36, count.macs());
    }

    @Test
    void decomposedConvolutionCountsBasisConvolutionNonZeroCoefficientsAndScratch() {
        Network network = new Network("t", List.of(new Layer.Input("in", 4, 8, 8),
                new Layer.DecomposedConv2d("conv", "in", 6, 4, 3, 1, 1, 5, true)), "conv");
        Map<String, Tensor> parameters = new HashMap<>(Architectures.initialise(network, 1).parameters());
        float[] coefficients = parameters.get("conv.coefficients").data();
        for (int i = 0; i < 100; i++) {
            coefficients[i] = 0f; // 120 coefficients, 20 left
        }
        LayerCount conv = ModelCounter.count(new Model(network, parameters)).layers().get(1);
        assertEquals(5 * 9 + 20 + 6, conv.params());
        assertEquals(4L * 5 * 9 * 64 + 20L * 64, conv.macs());
        assertEquals(4L * 4 * 5 * 64, conv.intermediateBytes());
        assertEquals(4L * 6 * 64, conv.activationBytes());
    }

    @Test
    void aMapNoCoefficientReadsCostsNoBasisConvolution() {
        // [6, 4, 5]: 20 maps (input channel x basis); zero the columns of input channel 1 (5 maps) and map (3, 2)
        Network network = new Network("t", List.of(new Layer.Input("in", 4, 8, 8),
                new Layer.DecomposedConv2d("conv", "in", 6, 4, 3, 1, 1, 5, false)), "conv");
        Map<String, Tensor> parameters = new HashMap<>(Architectures.initialise(network, 1).parameters());
        float[] coefficients = parameters.get("conv.coefficients").data();
        int zeroed = 0;
        for (int i = 0; i < coefficients.length; i++) {
            int column = i % 20;
            if (column / 5 == 1 || column == 3 * 5 + 2) {
                coefficients[i] = 0f;
                zeroed++;
            }
        }
        coefficients[0] = 0f; // one zero in a column that others still read: the map stays
        LayerCount conv = ModelCounter.count(new Model(network, parameters)).layers().get(1);
        long nonZero = 120 - zeroed - 1;
        assertEquals(14L * 9 * 64 + nonZero * 64, conv.macs());
        assertEquals(4L * 14 * 64, conv.intermediateBytes());
        assertEquals(5 * 9 + nonZero, conv.params());
    }

    @Test
    void decomposedConvolutionOfAGraphAloneCountsEveryCoefficient() {
        LayerCount conv = ModelCounter.count(new Network("t", List.of(new Layer.Input("in", 4, 8, 8),
                new Layer.DecomposedConv2d("conv", "in", 6, 4, 3, 1, 1, 5, false)), "conv")).layers().get(1);
        assertEquals(5 * 9 + 6 * 4 * 5, conv.params());
    }

    @Test
    void batchNormCountsGammaAndBetaButNotRunningStatistics() {
        ModelCount count = ModelCounter.count(new Network("t", List.of(new Layer.Input("in", 16, 4, 4),
                new Layer.BatchNorm("bn", "in", 16, 1e-5, 0.1)), "bn"));
        assertEquals(32, count.params());
        assertEquals(0, count.macs());
    }

    @Test
    void convSubtotalsLeaveOutLinearAndBatchNorm() {
        ModelCount count = ModelCounter.count(Architectures.network("vgg16-cifar"));
        long convParams = count.layers().stream().filter(l -> l.type().equals("conv2d")).mapToLong(LayerCount::params)
                .sum();
        assertEquals(convParams, count.convParams());
        assertEquals(count.params() - 5130 - 2 * 4224, count.convParams());
        assertEquals(count.macs() - 5120, count.convMacs());
    }

    @Test
    void peakActivationsKeepAResidualInputAliveUntilTheAdd() {
        // every activation is 3×4×4 floats = 192 bytes; input, a and b are alive while b is computed and at the add
        ModelCount count = ModelCounter.count(new Network("t", List.of(new Layer.Input("in", 3, 4, 4),
                new Layer.Relu("a", "in"), new Layer.Relu("b", "a"), new Layer.Add("sum", List.of("in", "b"))),
                "sum"));
        assertEquals(576, count.peakActivationBytes());
        assertEquals(4 * 192, count.activationBytes());
    }

    @Test
    void peakActivationsOfAChainAreTwoNeighbouringOutputs() {
        ModelCount count = ModelCounter.count(new Network("t", List.of(new Layer.Input("in", 3, 4, 4),
                new Layer.Relu("a", "in"), new Layer.Relu("b", "a"), new Layer.Relu("c", "b")), "c"));
        assertEquals(384, count.peakActivationBytes());
    }

    @Test
    void flattenAndDropoutAreViewsWithoutMemoryOfTheirOwn() {
        ModelCount count = ModelCounter.count(new Network("t", List.of(new Layer.Input("in", 3, 4, 4),
                new Layer.Flatten("flat", "in"), new Layer.Dropout("drop", "flat", 0.5),
                new Layer.Linear("fc", "drop", 2, 48, false)), "fc"));
        assertEquals(0, count.layers().get(1).activationBytes());
        assertEquals(0, count.layers().get(2).activationBytes());
        assertEquals(192 + 8, count.peakActivationBytes());
    }

    @Test
    void totalFlopsAreTwiceTheMacs() {
        ModelCount count = ModelCounter.count(Architectures.network("resnet-small"));
        assertEquals(2 * count.macs(), count.flops());
    }
}
