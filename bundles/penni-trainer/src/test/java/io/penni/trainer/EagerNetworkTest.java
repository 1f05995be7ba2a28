package io.penni.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.Architectures;

/**
 * The eager step against the SameDiff graph's (whose gradients {@link GradientCheckTest} checks against central
 * differences): the same logits, batch statistics and gradients of every parameter, on every layer kind the eager
 * step covers, dense and decomposed, with dropout and with distillation.
 */
class EagerNetworkTest {

    /** Float against float, by different algorithms: relative to the tensor's largest gradient. */
    private static final double TOLERANCE = 2e-3;

    /**
     * The build runs this class twice, with and without the Vector API module ({@code penni.trainer.expectVector}
     * says which), so both the direct 3 × 3 convolutions and vector sums and the ND4J convolutions and plain sums
     * are checked against the graph.
     */
    @Test
    void theVectorPathRunsExactlyWhereTheJvmHasTheModule() {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertEquals(module, EagerNetwork.VECTOR);
        assertEquals(module, EagerNetwork.DIRECT);
        String expected = System.getProperty("penni.trainer.expectVector");
        if (expected != null) {
            assertEquals(Boolean.parseBoolean(expected), EagerNetwork.VECTOR, "the build's two runs of this class");
        }
    }

    @Test
    void aDecomposedLayerHasTheGraphsGradients() {
        same(TinyModels.decomposedLayer(1), 3, Optional.empty());
    }

    @Test
    void aBoundedReluHasTheGraphsGradients() {
        same(TinyModels.clipped(3), 3, Optional.empty());
    }

    @Test
    void batchNormAndAResidualSumHaveTheGraphsGradients() {
        same(TinyModels.residual(2), 4, Optional.empty());
    }

    @Test
    void stridedAndOneByOneConvolutionsHaveTheGraphsGradients() {
        same(TinyModels.strided(5), 3, Optional.empty());
    }

    @Test
    void aDenseClassifierWithPoolingHasTheGraphsGradients() {
        same(TinyModels.dense(4), 5, Optional.empty());
    }

    @Test
    void vggSmallWithDropoutHasTheGraphsGradients() {
        same(Architectures.create("vgg-small", 5), 6, Optional.empty());
    }

    @Test
    void resnetSmallHasTheGraphsGradients() {
        same(Architectures.create("resnet-small", 6), 4, Optional.empty());
    }

    @Test
    void decomposedNetworksHaveTheGraphsGradients() {
        same(decomposed(Architectures.create("vgg-small", 7)), 4, Optional.empty());
        same(decomposed(Architectures.create("resnet-small", 8)), 3, Optional.empty());
    }

    @Test
    void theDistillationLossHasTheGraphsGradients() {
        ModelGraph.DistillationLoss loss = new ModelGraph.DistillationLoss(0.7, 4);
        same(TinyModels.residual(9), 4, Optional.of(loss));
        same(decomposed(Architectures.create("vgg-small", 10)), 3, Optional.of(loss));
    }

    @Test
    void aSmallerBatchAfterALargerOneComputesWhatAFreshStepDoes() {
        Model model = Architectures.create("resnet-small", 11);
        Feed large = Feed.random(model, 5, 10, 12);
        Feed small = Feed.random(model, 2, 10, 13);
        try (EagerNetwork reused = new EagerNetwork(model, Optional.empty(), 2);
                EagerNetwork fresh = new EagerNetwork(model, Optional.empty(), 2)) {
            reused.run(large.images, large.labels, Optional.empty(), large.masks);
            TrainingStep.Result again = reused.run(small.images, small.labels, Optional.empty(), small.masks);
            TrainingStep.Result once = fresh.run(small.images, small.labels, Optional.empty(), small.masks);
            assertArrayEquals(once.logits(), again.logits());
            once.gradients().forEach((name, g) -> assertEquals(g, again.gradients().get(name), name));
        }
    }

    @Test
    void oneThreadAndTwoComputeTheSame() {
        Model model = decomposed(Architectures.create("vgg-small", 14));
        Feed feed = Feed.random(model, 3, 10, 15);
        try (EagerNetwork one = new EagerNetwork(model, Optional.empty(), 1);
                EagerNetwork two = new EagerNetwork(model, Optional.empty(), 2)) {
            TrainingStep.Result a = one.run(feed.images, feed.labels, Optional.empty(), feed.masks);
            Map<String, INDArray> kept = new HashMap<>();
            a.gradients().forEach((name, g) -> kept.put(name, g.dup()));
            TrainingStep.Result b = two.run(feed.images, feed.labels, Optional.empty(), feed.masks);
            assertArrayEquals(a.logits(), b.logits());
            kept.forEach((name, g) -> assertEquals(g, b.gradients().get(name), name));
        }
    }

    @Test
    void networksItDoesNotCoverAreNamedAndTrainOnTheGraph() {
        Optional<String> reason = EagerNetwork.unsupported(TinyModels.padded(1).network());
        assertTrue(reason.isPresent());
        assertTrue(reason.get().contains("conv1"), reason.get());
        assertFalse(EagerNetwork.unsupported(Architectures.create("resnet-small", 1).network()).isPresent());
        try (TrainingStep step = TrainingSteps.create(TinyModels.padded(1), Optional.empty())) {
            assertTrue(step instanceof SameDiffStep, step.getClass().getSimpleName());
        }
        try (TrainingStep step = TrainingSteps.create(TinyModels.residual(1), Optional.empty())) {
            assertTrue(step instanceof EagerNetwork, step.getClass().getSimpleName());
        }
    }

    /**
     * Each 3×3 convolution of the network as a decomposed one (d = 5), its coefficients and basis drawn so that the
     * kernels it forms have He-initialisation's spread; the other parameters are the network's own initialisation.
     * (Factors drawn without regard to fan-in give logits in the hundreds, where float round-off decides which
     * side of a ReLU a value falls and the comparison would test nothing but luck.)
     */
    static Model decomposed(Model model) {
        List<Layer> layers = new ArrayList<>();
        Map<String, Tensor> parameters = new HashMap<>(model.parameters());
        Random random = new Random(99);
        int bases = 5;
        for (Layer layer : model.network().layers()) {
            if (layer instanceof Layer.Conv2d c && c.kernel() == 3 && c.groups() == 1) {
                layers.add(new Layer.DecomposedConv2d(c.name(), c.input(), c.outChannels(), c.inChannels(), c.kernel(),
                        c.stride(), c.padding(), bases, c.bias()));
                parameters.remove(ParameterNames.of(c.name(), ParameterNames.WEIGHT));
                // a tap is a sum of d products of the two: its variance is d·σc²·σb², to be 2 / (C·k²)
                double basis = 1.0 / 3;
                double coefficients = Math.sqrt(2.0 / (c.inChannels() * 9) / (bases * basis * basis));
                parameters.put(ParameterNames.of(c.name(), ParameterNames.COEFFICIENTS),
                        TinyModels.random(random, coefficients, c.outChannels(), c.inChannels(), bases));
                parameters.put(ParameterNames.of(c.name(), ParameterNames.BASIS),
                        TinyModels.random(random, basis, bases, 9));
            } else {
                layers.add(layer);
            }
        }
        Network network = model.network();
        return new Model(new Network(network.name(), layers, network.output()), parameters);
    }

    private static void same(Model model, int batch, Optional<ModelGraph.DistillationLoss> distillation) {
        int classes = ((Layer.Linear) model.network().layers().get(model.network().layers().size() - 1)).outFeatures();
        Feed feed = Feed.random(model, batch, classes, 42);
        Optional<INDArray> teacher = distillation.map(d -> Feed.probabilities(batch, classes, 43));
        try (TrainingStep graph = new SameDiffStep(model, distillation);
                EagerNetwork eager = new EagerNetwork(model, distillation, 2)) {
            assertEquals(graph.parameters().keySet(), eager.parameters().keySet());
            assertEquals(graph.dropoutMasks().stream().map(ModelGraph.DropoutMask::placeholder).toList(),
                    eager.dropoutMasks().stream().map(ModelGraph.DropoutMask::placeholder).toList());
            TrainingStep.Result expected = graph.run(feed.images, feed.labels, teacher, feed.masks);
            TrainingStep.Result actual = eager.run(feed.images, feed.labels, teacher, feed.masks);
            close(expected.logits(), actual.logits(), "logits");
            for (TrainingStep.BatchNormLayer bn : graph.batchNorms()) {
                String name = bn.layer().name();
                close(expected.batchMean().get(name), actual.batchMean().get(name), name + " batch mean");
                close(expected.batchVariance().get(name), actual.batchVariance().get(name), name + " batch variance");
            }
            assertEquals(graph.batchNorms(), eager.batchNorms());
            double largest = 0;
            for (INDArray g : expected.gradients().values()) {
                largest = Math.max(largest, g.amaxNumber().doubleValue());
            }
            for (String p : graph.parameters().keySet()) {
                INDArray g = expected.gradients().get(p);
                if (g.amaxNumber().doubleValue() < 1e-5 * largest) {
                    // mathematically zero (a convolution's bias before batch norm): both are round-off
                    assertTrue(actual.gradients().get(p).amaxNumber().doubleValue() < 1e-4 * largest, p);
                    continue;
                }
                close(g, actual.gradients().get(p), "gradient of " + p);
            }
        }
    }

    private static void close(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        close(expected.castTo(DataType.FLOAT).dup().data().asFloat(), actual.castTo(DataType.FLOAT).dup().data().asFloat(),
                what);
    }

    private static void close(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double largest = 0;
        for (float v : expected) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertTrue(largest > 0, what + " is all zero: the comparison would prove nothing");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * largest + 1e-7, what + " at " + i);
        }
    }

    /** Random images, labels and keep-masks for one step. */
    private record Feed(INDArray images, INDArray labels, Map<String, INDArray> masks) {
        static Feed random(Model model, int batch, int classes, long seed) {
            Layer.Input input = (Layer.Input) model.network().layers().get(0);
            Random random = new Random(seed);
            float[] pixels = new float[batch * input.channels() * input.height() * input.width()];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextGaussian();
            }
            float[] oneHot = new float[batch * classes];
            for (int b = 0; b < batch; b++) {
                oneHot[b * classes + random.nextInt(classes)] = 1;
            }
            Map<String, INDArray> masks;
            try (TrainingStep step = new EagerNetwork(model, Optional.empty(), 1)) {
                masks = Trainer.dropoutMasks(step, batch, seed);
            }
            return new Feed(Nd4j.create(pixels, new long[] {batch, input.channels(), input.height(), input.width()}, 'c'),
                    Nd4j.create(oneHot, new long[] {batch, classes}, 'c'), masks);
        }

        static INDArray probabilities(int batch, int classes, long seed) {
            Random random = new Random(seed);
            float[] p = new float[batch * classes];
            for (int b = 0; b < batch; b++) {
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    p[b * classes + c] = (float) Math.exp(random.nextGaussian());
                    sum += p[b * classes + c];
                }
                for (int c = 0; c < classes; c++) {
                    p[b * classes + c] /= sum;
                }
            }
            return Nd4j.create(p, new long[] {batch, classes}, 'c');
        }
    }
}
