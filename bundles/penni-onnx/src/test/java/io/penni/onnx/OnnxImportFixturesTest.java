package io.penni.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Padding;
import io.penni.api.model.Tensor;
import io.penni.model.ModelException;
import io.penni.model.NetworkShapes;
import io.penni.model.ReferenceForward;

/** Models exported by torch.onnx.export import into the IR and compute what PyTorch computed. */
class OnnxImportFixturesTest {

    @ParameterizedTest
    @ValueSource(strings = {"resnet-bn", "resnet-folded", "vgg-bn", "vgg-folded", "depthwise", "depthwise-relu6",
        "fashion-cnn", "zero-pad", "asymmetric-pads"})
    void theImportedModelComputesPyTorchsOutput(String fixture) {
        Model model = OnnxImport.read(OnnxFixtures.model(fixture));

        Tensor actual = ReferenceForward.forward(model, OnnxFixtures.input(fixture));

        Tensor expected = OnnxFixtures.output(fixture);
        assertArrayEquals(expected.shape(), actual.shape());
        float scale = 0;
        float worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            scale = Math.max(scale, Math.abs(expected.data()[i]));
            worst = Math.max(worst, Math.abs(expected.data()[i] - actual.data()[i]));
        }
        assertTrue(worst <= 1e-4 * scale, fixture + ": largest difference " + worst + " against outputs up to "
                + scale);
    }

    @Test
    void aResNetKeepsItsBatchNormAndItsDownsamplingShortcut() {
        Model model = OnnxImport.read(OnnxFixtures.model("resnet-bn"));

        List<Layer> layers = model.network().layers();
        assertEquals(new Layer.Input("images", 3, 32, 32), layers.get(0));
        assertEquals(9, count(layers, Layer.BatchNorm.class), "after the stem, the 6 block convs and the 2 shortcut convs");
        Layer.Conv2d shortcut = (Layer.Conv2d) layer(model, "layer2.downsample.downsample.0.Conv");
        assertEquals(new Layer.Conv2d("layer2.downsample.downsample.0.Conv", "layer1.relu_1.Relu", 16, 8, 1, 2, 0, 1,
                false), shortcut);
        assertEquals(3, count(layers, Layer.Add.class));
        assertEquals("fc.Gemm", model.network().output());
    }

    @Test
    void batchNormFoldedByTheExporterImportsAsConvolutionsWithBias() {
        Model model = OnnxImport.read(OnnxFixtures.model("resnet-folded"));

        assertEquals(0, count(model.network().layers(), Layer.BatchNorm.class));
        assertTrue(model.network().layers().stream().filter(l -> l instanceof Layer.Conv2d)
                .allMatch(l -> ((Layer.Conv2d) l).bias()), "every conv carries the folded BN as its bias");
        assertEquals(9, count(model.network().layers(), Layer.Conv2d.class));
    }

    @Test
    void theShapeArithmeticOfViewIsFoldedIntoOneFlatten() {
        Model model = OnnxImport.read(OnnxFixtures.model("vgg-bn"));

        List<Layer> layers = model.network().layers();
        assertEquals(1, count(layers, Layer.Flatten.class));
        Layer.Linear fc = (Layer.Linear) layers.get(layers.indexOf(layer(model, "Reshape")) + 1);
        assertEquals(512, fc.inFeatures());
        assertEquals(List.of("Input", "Conv2d", "BatchNorm", "Relu", "Pool"), layers.subList(0, 5).stream()
                .map(l -> l.getClass().getSimpleName()).toList());
    }

    @Test
    void aDepthwiseConvolutionKeepsItsGroupsAndMatMulTakesTheAddAsBias() {
        Model model = OnnxImport.read(OnnxFixtures.model("depthwise"));

        Layer.Conv2d depthwise = (Layer.Conv2d) layer(model, "depthwise.depthwise.0.Conv");
        assertEquals(16, depthwise.groups());
        assertEquals(2, depthwise.stride());
        Layer.Linear classifier = (Layer.Linear) layer(model, "MatMul");
        assertEquals(new Layer.Linear("MatMul", "GlobalAveragePool", 10, 24, true), classifier);
        assertEquals(List.of(10), List.of(model.parameters().get("MatMul.bias").shape()[0]));
    }

    @Test
    void relu6ImportsAsABoundedReluNamedAfterItsNode() {
        Model model = OnnxImport.read(OnnxFixtures.model("depthwise-relu6"));

        Layer.ClippedRelu relu6 = (Layer.ClippedRelu) layer(model, "stem.stem.2.Clip");
        assertEquals(6.0, relu6.max());
        assertEquals(0, count(model.network().layers(), Layer.Relu.class), "every activation of the net is a ReLU6");
    }

    @Test
    void aZeroPadBeforeAConvIsFoldedIntoItsPads() {
        Model model = OnnxImport.read(OnnxFixtures.model("zero-pad"));

        // ZeroPad2d((0, 1, 0, 1)): one more column on the right and one more row at the bottom
        Layer.Conv2d down = (Layer.Conv2d) layer(model, "down.down.1.Conv");
        assertEquals(new Padding(0, 0, 1, 1), down.padding());
        assertEquals("stem.stem.2.Relu", down.input(), "the Pad and its pads arithmetic leave no layer");
        assertEquals(new Padding(0, 0, 1, 1), ((Layer.Conv2d) layer(model, "same.Conv")).padding());
        assertEquals(new ActivationShape(16, 8, 8), NetworkShapes.infer(model.network()).get("same.Conv"),
                "8 where the conv without the extra row and column would give 7");
    }

    @Test
    void asymmetricPadsOfConvAndPoolsAreKeptPerSide() {
        Model model = OnnxImport.read(OnnxFixtures.model("asymmetric-pads"));

        Padding endPadded = new Padding(0, 0, 1, 1);
        assertEquals(endPadded, ((Layer.Conv2d) layer(model, "down.Conv")).padding());
        List<Layer.Pool> pools = model.network().layers().stream().filter(l -> l instanceof Layer.Pool)
                .map(l -> (Layer.Pool) l).toList();
        assertEquals(List.of(Layer.PoolKind.MAX, Layer.PoolKind.AVG), pools.stream().map(Layer.Pool::kind).toList());
        assertTrue(pools.stream().allMatch(p -> p.padding().equals(endPadded)), pools.toString());
    }

    private static long count(List<Layer> layers, Class<? extends Layer> type) {
        return layers.stream().filter(type::isInstance).count();
    }

    private static Layer layer(Model model, String name) {
        return model.network().layers().stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no layer " + name + " in " + model.network().layers().stream()
                        .map(Layer::name).toList()));
    }
}
