package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Network;

class NetworkShapesTest {

    private static final Layer.Input INPUT = new Layer.Input("input", 3, 32, 32);

    private static Network net(String output, Layer... layers) {
        List<Layer> all = new ArrayList<>();
        all.add(INPUT);
        all.addAll(List.of(layers));
        return new Network("test", all, output);
    }

    private static String error(Network network) {
        return assertThrows(ModelException.class, () -> NetworkShapes.infer(network)).getMessage();
    }

    @Test
    void infersEveryLayersShapeThroughConvPoolAndLinear() {
        Map<String, ActivationShape> shapes = NetworkShapes.infer(net("fc",
                new Layer.Conv2d("conv1", "input", 16, 3, 3, 2, 1, 1, false),
                new Layer.BatchNorm("bn1", "conv1", 16, 1e-5, 0.1),
                new Layer.Relu("relu1", "bn1"),
                new Layer.Pool("pool1", "relu1", Layer.PoolKind.MAX, 3, 2, 1),
                new Layer.Flatten("flatten", "pool1"),
                new Layer.Dropout("drop", "flatten", 0.5),
                new Layer.Linear("fc", "drop", 10, 16 * 8 * 8, true)));
        assertEquals(new ActivationShape(3, 32, 32), shapes.get("input"));
        assertEquals(new ActivationShape(16, 16, 16), shapes.get("conv1"));
        assertEquals(new ActivationShape(16, 8, 8), shapes.get("pool1"));
        assertEquals(new ActivationShape(1024, 1, 1), shapes.get("flatten"));
        assertEquals(new ActivationShape(10, 1, 1), shapes.get("fc"));
        assertEquals(List.of("input", "conv1", "bn1", "relu1", "pool1", "flatten", "drop", "fc"),
                List.copyOf(shapes.keySet()));
    }

    @Test
    void decomposedConvolutionAndGlobalPoolingGiveTheirShapes() {
        Map<String, ActivationShape> shapes = NetworkShapes.infer(net("gap",
                new Layer.DecomposedConv2d("conv1", "input", 8, 3, 5, 1, 0, 5, true),
                new Layer.GlobalAvgPool("gap", "conv1")));
        assertEquals(new ActivationShape(8, 28, 28), shapes.get("conv1"));
        assertEquals(new ActivationShape(8, 1, 1), shapes.get("gap"));
    }

    @Test
    void convolutionInputChannelMismatchNamesLayerAndInput() {
        String message = error(new Network("test", List.of(INPUT,
                new Layer.Conv2d("conv2", "input", 32, 3, 3, 1, 1, 1, false),
                new Layer.Relu("relu2", "conv2"),
                new Layer.Conv2d("conv3", "relu2", 64, 64, 3, 1, 1, 1, false)), "conv3"));
        assertEquals("layer conv3: expects 64 input channels, its input 'relu2' has 32", message);
    }

    @Test
    void duplicateNamesAreRejected() {
        String message = error(net("a", new Layer.Relu("a", "input"), new Layer.Relu("a", "input")));
        assertEquals("layer a: the name is used by two layers (again at position 2)", message);
    }

    @Test
    void inputNamingNoLayerIsRejected() {
        assertEquals("layer a: its input 'nope' is not a layer", error(net("a", new Layer.Relu("a", "nope"))));
    }

    @Test
    void inputNamingALaterLayerIsRejected() {
        String message = error(net("b", new Layer.Relu("a", "b"), new Layer.Relu("b", "input")));
        assertEquals("layer a: its input 'b' comes after it; layers must come after every layer they read", message);
    }

    @Test
    void firstLayerMustBeTheInput() {
        String message = error(new Network("test", List.of(new Layer.Relu("a", "input"), INPUT), "a"));
        assertEquals("network test: the first layer must be an input, 'a' is not", message);
    }

    @Test
    void secondInputIsRejected() {
        String message = error(net("input2", new Layer.Input("input2", 3, 32, 32)));
        assertEquals("layer input2: a network has exactly one input, 'input' is already one", message);
    }

    @Test
    void emptyNetworkIsRejected() {
        assertEquals("network test: has no layers", error(new Network("test", List.of(), "x")));
    }

    @Test
    void groupsMustDivideChannels() {
        String message = error(net("conv", new Layer.Conv2d("conv", "input", 8, 3, 3, 1, 1, 2, false)));
        assertEquals("layer conv: groups 2 must divide both inChannels 3 and outChannels 8", message);
    }

    @Test
    void batchNormChannelsMustMatchItsInput() {
        String message = error(net("bn", new Layer.BatchNorm("bn", "input", 16, 1e-5, 0.1)));
        assertEquals("layer bn: expects 16 input channels, its input 'input' has 3", message);
    }

    @Test
    void linearInFeaturesMustBeChannelsTimesHeightTimesWidth() {
        String message = error(net("fc", new Layer.Linear("fc", "input", 10, 1000, true)));
        assertEquals("layer fc: expects 1000 input features, its input 'input' has 3072 (3x32x32)", message);
    }

    @Test
    void addInputsMustHaveTheSameShape() {
        String message = error(net("sum",
                new Layer.Conv2d("conv", "input", 3, 3, 3, 2, 1, 1, false),
                new Layer.Add("sum", List.of("input", "conv"))));
        assertEquals("layer sum: inputs must have the same shape, 'input' is 3x32x32 but 'conv' is 3x16x16", message);
    }

    @Test
    void addNeedsTwoInputs() {
        assertEquals("layer sum: an add needs at least two inputs, has 1",
                error(net("sum", new Layer.Add("sum", List.of("input")))));
    }

    @Test
    void kernelLargerThanThePaddedInputIsRejected() {
        String message = error(net("conv", new Layer.Conv2d("conv", "input", 8, 3, 35, 1, 1, 1, false)));
        assertEquals("layer conv: kernel 35 with padding 1 does not fit the input height 32 (output size would be "
                + "below 1)", message);
    }

    @Test
    void zeroStrideIsRejected() {
        assertEquals("layer conv: stride must be at least 1, was 0",
                error(net("conv", new Layer.Conv2d("conv", "input", 8, 3, 3, 0, 1, 1, false))));
    }

    @Test
    void decomposedConvolutionNeedsAtLeastOneBasis() {
        assertEquals("layer conv: bases must be at least 1, was 0",
                error(net("conv", new Layer.DecomposedConv2d("conv", "input", 8, 3, 3, 1, 1, 0, false))));
    }

    @Test
    void poolPaddingOverHalfTheKernelIsRejected() {
        assertEquals("layer pool: padding 2 must be at most half the kernel 3",
                error(net("pool", new Layer.Pool("pool", "input", Layer.PoolKind.MAX, 3, 1, 2))));
    }

    @Test
    void outputMustNameALayer() {
        assertEquals("network test: the output 'logits' is not one of its layers",
                error(net("logits", new Layer.Relu("a", "input"))));
    }

    @Test
    void namesWithWhitespaceAreRejected() {
        assertEquals("network test: layer 1 has the name 'my relu'; names must be non-blank without whitespace",
                error(net("my relu", new Layer.Relu("my relu", "input"))));
    }

    @Test
    void nonPositiveInputSizeIsRejected() {
        String message = error(new Network("test", List.of(new Layer.Input("input", 0, 32, 32)), "input"));
        assertEquals("layer input: channels must be at least 1, was 0", message);
    }

    @Test
    void outputOfMoreValuesThanOneArrayHoldsIsRejected() {
        String message = error(new Network("test", List.of(new Layer.Input("input", 1, 1, 1),
                new Layer.Conv2d("conv", "input", 4, 1, 1, 1, 30_000, 1, false)), "conv"));
        assertEquals("layer conv: its output 4x60001x60001 has more than 2147483647 values per image", message);
    }
}
