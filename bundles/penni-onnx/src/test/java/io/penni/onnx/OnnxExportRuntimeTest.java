package io.penni.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import ai.onnxruntime.OrtException;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.inference.cpu.TestModels;
import io.penni.model.Architectures;
import io.penni.model.ReferenceForward;
import io.penni.shrinker.ChannelShrinker;

/**
 * Every exported model runs in ONNX Runtime and gives the reference forward pass's logits (relative error ≤ 1e-4,
 * {@link TestModels#relativeError}) in both forms, at batch 2 and at batch 1: every built-in architecture with
 * seeded weights and non-trivial batch norms, decomposed with random factors (d = 5) and pruned to 90 %, a really shrunk model, and graphs
 * that reach every rank change and fold the writer makes. The reference runs once per model (two images); each
 * form is checked on both images and on the first alone.
 */
class OnnxExportRuntimeTest {

    private static final double TOLERANCE = 1e-4;

    static Stream<Arguments> architectures() {
        return Architectures.names().stream().flatMap(name -> Stream.of("dense", "decomposed", "pruned")
                .map(variant -> Arguments.of(name, variant)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("architectures")
    void everyArchitectureRunsInOnnxRuntimeAsTheReference(String name, String variant) throws OrtException {
        Model model = TestModels.architecture(name, 3);
        if (!variant.equals("dense")) {
            model = SyntheticCompression.decompose(model, 5, 3);
        }
        if (variant.equals("pruned")) {
            model = SyntheticCompression.prune(model, 0.9, 3);
        }
        assertRunsAsTheReference(model);
    }

    @Test
    void aShrunkModelRunsInOnnxRuntimeAsTheReference() throws OrtException {
        Model pruned = SyntheticCompression.prune(
                SyntheticCompression.decompose(TestModels.architecture("resnet-small", 4), 5, 4), 0.8, 4);
        Map<String, Tensor> parameters = new LinkedHashMap<>(pruned.parameters());
        // dead filters inside blocks whose batch-norm constant is negative, so the ReLU after it zeroes them:
        // the shrinker removes exactly those five channels (and the next convolutions' inputs from them)
        zeroOutputs(parameters, "layer1.0.conv1", 3, 5);
        zeroOutputs(parameters, "layer2.1.conv1", 0, 7, 30);
        negativeConstant(parameters, "layer1.0.bn1", 3, 5);
        negativeConstant(parameters, "layer2.1.bn1", 0, 7, 30);
        Model dead = new Model(pruned.network(), parameters);

        Model shrunk = ChannelShrinker.shrink(dead);

        assertEquals(16 - 2, outChannels(shrunk, "layer1.0.conv1"), "layer1.0.conv1 was not shrunk");
        assertEquals(32 - 3, outChannels(shrunk, "layer2.1.conv1"), "layer2.1.conv1 was not shrunk");
        assertTrue(size(shrunk) < size(dead), "the model was not shrunk");
        assertRunsAsTheReference(shrunk);
    }

    /**
     * Bounded ReLUs export as Clip(0, max): an imported ReLU6 network, and a pruned resnet-small whose every ReLU is
     * bounded, shrunk (its dead channels' constants pass the clamp) and exported.
     */
    @Test
    void boundedRelusRunInOnnxRuntimeAsTheReference() throws OrtException {
        assertRunsAsTheReference(OnnxImport.read(OnnxFixtures.model("depthwise-relu6")));
        Model pruned = TestModels.bounded(SyntheticCompression.prune(
                SyntheticCompression.decompose(TestModels.architecture("resnet-small", 9), 5, 9), 0.8, 9), 0.5);
        Map<String, Tensor> parameters = new LinkedHashMap<>(pruned.parameters());
        zeroOutputs(parameters, "layer1.0.conv1", 3, 5);
        negativeConstant(parameters, "layer1.0.bn1", 3, 5);
        Model shrunk = ChannelShrinker.shrink(new Model(pruned.network(), parameters));
        assertEquals(16 - 2, outChannels(shrunk, "layer1.0.conv1"), "dead channels before a bounded ReLU go");
        assertTrue(shrunk.network().layers().stream().anyMatch(l -> l instanceof Layer.ClippedRelu));
        assertRunsAsTheReference(shrunk);
    }

    /**
     * Pads that differ per side export as the Conv's and pools' own pads: the PyTorch fixtures as imported (their
     * Pad nodes folded into the convolutions), decomposed and pruned, and a graph padding every side differently
     * on dense, decomposed, depthwise and pooling layers. ONNX Runtime and the reference agree, so the reference's
     * per-side padding is ONNX's; the import matching PyTorch closes the circle.
     */
    @Test
    void windowsPaddedPerSideRunInOnnxRuntimeAsTheReference() throws OrtException {
        for (String fixture : List.of("zero-pad", "asymmetric-pads")) {
            Model imported = OnnxImport.read(OnnxFixtures.model(fixture));
            assertRunsAsTheReference(imported);
            assertRunsAsTheReference(SyntheticCompression.prune(SyntheticCompression.decompose(imported, 3, 5), 0.5,
                    5));
        }
        assertRunsAsTheReference(TestModels.asymmetric(8));
        assertRunsAsTheReference(SyntheticCompression.decompose(TestModels.asymmetric(8), 2, 8));
    }

    /** The shrinker keeps each layer's padding: a per-side padded graph loses two dead filters and still runs. */
    @Test
    void aShrunkModelPaddedPerSideKeepsItsPaddingAndRunsAsTheReference() throws OrtException {
        Model decomposed = SyntheticCompression.decompose(TestModels.asymmetric(8), 2, 8);
        Map<String, Tensor> parameters = new LinkedHashMap<>(decomposed.parameters());
        zeroOutputs(parameters, "conv2", 1, 3);
        negativeConstant(parameters, "bn2", 1, 3);
        Model dead = new Model(decomposed.network(), parameters);

        Model shrunk = ChannelShrinker.shrink(dead);

        assertEquals(5 - 2, outChannels(shrunk, "conv2"), "conv2 was not shrunk");
        for (Layer layer : dead.network().layers()) {
            if (layer instanceof Layer.Windowed w) {
                Layer after = shrunk.network().layers().stream().filter(l -> l.name().equals(w.name())).findFirst()
                        .orElseThrow();
                assertEquals(w.padding(), ((Layer.Windowed) after).padding(), w.name());
            }
        }
        assertTrue(TestModels.relativeError(ReferenceForward.forward(shrunk, TestModels.images(dead, 2, 3)).data(),
                ReferenceForward.forward(dead, TestModels.images(dead, 2, 3)).data()) <= TOLERANCE,
                "the shrunk model computes what the pruned one did");
        assertRunsAsTheReference(shrunk);
    }

    @Test
    void shrunkLookingStridedAndPooledGraphsRunAsTheReference() throws OrtException {
        assertRunsAsTheReference(TestModels.shrunkShaped(5));
        assertRunsAsTheReference(TestModels.strided(6));
        assertRunsAsTheReference(TestModels.fusedPooling(7));
    }

    /**
     * A head that leaves 4-D and comes back: a batch norm on flattened features (kept as a node), a linear layer
     * with a batch norm folded into it, a convolution and a global pooling reading linear outputs, a three-way
     * add over mixed ranks, dropout, and layers named like the graph's input and output.
     */
    @Test
    void rankChangesFoldsAndReservedNamesRunAsTheReference() throws OrtException {
        List<Layer> layers = List.of(
                new Layer.Input("image", 2, 6, 5),
                new Layer.Conv2d("input", "image", 3, 2, 3, 1, 1, 1, true),
                new Layer.Flatten("flatten", "input"),
                new Layer.BatchNorm("bn_flat", "flatten", 90, 1e-5, 0.1),
                new Layer.Linear("logits", "bn_flat", 8, 90, false),
                new Layer.BatchNorm("bn_fc", "logits", 8, 1e-3, 0.1),
                new Layer.Relu("relu", "bn_fc"),
                new Layer.Dropout("dropout", "relu", 0.5),
                new Layer.Conv2d("conv_1x1", "dropout", 8, 8, 1, 1, 0, 2, true),
                new Layer.GlobalAvgPool("gap", "dropout"),
                new Layer.Add("sum3", List.of("conv_1x1", "dropout", "gap")),
                new Layer.Linear("fc", "sum3", 4, 8, true));
        Model model = TestModels.withStatistics(
                Architectures.initialise(new Network("ranks", layers, "fc"), 8), 8);
        assertRunsAsTheReference(model);
    }

    private static void assertRunsAsTheReference(Model model) throws OrtException {
        Tensor images = TestModels.images(model, 2, 11);
        float[] reference = ReferenceForward.forward(model, images).data();
        Tensor first = new Tensor(new int[] {1, images.shape()[1], images.shape()[2], images.shape()[3]},
                Arrays.copyOf(images.data(), images.size() / 2));
        for (ExportForm form : ExportForm.values()) {
            byte[] onnx = OnnxExport.toBytes(model, form);
            double two = TestModels.relativeError(OrtRun.logits(onnx, images), reference);
            double one = TestModels.relativeError(OrtRun.logits(onnx, first),
                    Arrays.copyOf(reference, reference.length / 2));
            String what = model.network().name() + " " + form.label();
            assertTrue(two <= TOLERANCE, what + " batch 2: relative error " + two);
            assertTrue(one <= TOLERANCE, what + " batch 1: relative error " + one);
        }
    }

    private static long size(Model model) {
        return model.parameters().values().stream().mapToLong(Tensor::size).sum();
    }

    private static int outChannels(Model model, String layer) {
        return model.parameters().get(ParameterNames.of(layer, ParameterNames.COEFFICIENTS)).shape()[0];
    }

    /** Batch-norm statistics of the given channels such that gamma·(0 − mean)/σ + beta < 0. */
    private static void negativeConstant(Map<String, Tensor> parameters, String bn, int... channels) {
        for (String kind : List.of(ParameterNames.RUNNING_MEAN, ParameterNames.BETA)) {
            String name = ParameterNames.of(bn, kind);
            Tensor t = parameters.get(name);
            float[] v = t.data().clone();
            for (int c : channels) {
                v[c] = kind.equals(ParameterNames.BETA) ? -0.5f : 0.5f;
            }
            parameters.put(name, new Tensor(t.shape().clone(), v));
        }
    }

    private static void zeroOutputs(Map<String, Tensor> parameters, String layer, int... outputs) {
        String name = ParameterNames.of(layer, ParameterNames.COEFFICIENTS);
        Tensor t = parameters.get(name);
        float[] v = t.data().clone();
        int row = v.length / t.shape()[0];
        for (int n : outputs) {
            Arrays.fill(v, n * row, (n + 1) * row, 0f);
        }
        parameters.put(name, new Tensor(t.shape().clone(), v));
    }
}
