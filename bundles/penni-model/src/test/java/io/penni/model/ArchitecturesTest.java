package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Tensor;

class ArchitecturesTest {

    static List<String> names() {
        return Architectures.names();
    }

    @Test
    void namesTheSevenBuiltInArchitectures() {
        assertEquals(List.of("vgg-small", "resnet-small", "vgg16-cifar", "resnet18-cifar", "resnet56-cifar", "alexnet",
                "resnet50"), Architectures.names());
    }

    @ParameterizedTest
    @MethodSource("names")
    void everyArchitectureIsAValidGraphEndingInTheClassLogits(String name) {
        Network network = Architectures.network(name);
        int classes = name.equals("alexnet") || name.equals("resnet50") ? 1000 : 10;
        assertEquals(new ActivationShape(classes, 1, 1), NetworkShapes.infer(network).get(network.output()));
        assertEquals(name, network.name());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        String message = assertThrows(ModelException.class, () -> Architectures.create("vgg19", 1)).getMessage();
        assertEquals("unknown architecture 'vgg19'; the built-in ones are vgg-small, resnet-small, vgg16-cifar, "
                + "resnet18-cifar, resnet56-cifar, alexnet, resnet50", message);
    }

    @Test
    void theSameSeedGivesTheSameWeights() {
        assertEquals(Architectures.create("vgg-small", 42), Architectures.create("vgg-small", 42));
    }

    @Test
    void differentSeedsGiveDifferentWeights() {
        assertNotEquals(Architectures.create("vgg-small", 1).parameters().get("conv1.weight"),
                Architectures.create("vgg-small", 2).parameters().get("conv1.weight"));
    }

    @Test
    void convolutionWeightsAreHeNormal() {
        // conv6: 128 × 128 × 3 × 3, fan-in 1152: std √(2/1152) ≈ 0.0417, mean 0
        float[] w = Architectures.create("vgg-small", 7).parameters().get("conv6.weight").data();
        double sum = 0;
        double squares = 0;
        for (float v : w) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / w.length;
        double std = Math.sqrt(squares / w.length - mean * mean);
        assertEquals(0.0, mean, 0.001);
        assertEquals(Math.sqrt(2.0 / 1152), std, 0.001);
    }

    @Test
    void batchNormStartsAsTheIdentity() {
        Model model = Architectures.create("resnet-small", 3);
        assertTensorFilled(model.parameters().get("bn1.gamma"), 1f);
        assertTensorFilled(model.parameters().get("bn1.beta"), 0f);
        assertTensorFilled(model.parameters().get("bn1.running_mean"), 0f);
        assertTensorFilled(model.parameters().get("bn1.running_var"), 1f);
    }

    @Test
    void linearBiasStartsAtZero() {
        assertTensorFilled(Architectures.create("vgg-small", 3).parameters().get("fc2.bias"), 0f);
    }

    @Test
    void vggSmallIsSmallEnoughToTrainOnTwoCores() {
        long params = ModelCounter.count(Architectures.network("vgg-small")).params();
        assertTrue(params >= 300_000 && params <= 600_000, "vgg-small has " + params + " parameters");
        assertEquals(6, convolutions(Architectures.network("vgg-small")));
    }

    @Test
    void resnetSmallHasResidualAddsAndStridedOneByOneShortcuts() {
        Network network = Architectures.network("resnet-small");
        assertEquals(6, network.layers().stream().filter(l -> l instanceof Layer.Add).count());
        Layer shortcut = network.layers().stream().filter(l -> l.name().equals("layer2.0.downsample.0")).findFirst()
                .orElseThrow();
        assertEquals(new Layer.Conv2d("layer2.0.downsample.0", "layer1.1.relu2", 32, 16, 1, 2, 0, 1, false), shortcut);
        assertTrue(network.layers().stream().anyMatch(l -> l.name().equals("layer2.0.downsample.1")
                && l instanceof Layer.BatchNorm));
    }

    @Test
    void vgg16CifarHasThirteenConvolutionsAndOneClassifierLayer() {
        Network network = Architectures.network("vgg16-cifar");
        assertEquals(13, convolutions(network));
        assertEquals(List.of(new Layer.Linear("fc", "flatten", 10, 512, true)),
                network.layers().stream().filter(l -> l instanceof Layer.Linear).toList());
    }

    @Test
    void resnet56HasTwentySevenBlocksWithOptionBShortcuts() {
        Network network = Architectures.network("resnet56-cifar");
        assertEquals(27, network.layers().stream().filter(l -> l instanceof Layer.Add).count());
        // 1 stem + 54 block convolutions + 2 shortcut convolutions
        assertEquals(57, convolutions(network));
    }

    @Test
    void resnet50StridesOnTheThreeByThreeConvolution() {
        Network network = Architectures.network("resnet50");
        Layer conv1 = find(network, "layer2.0.conv1");
        Layer conv2 = find(network, "layer2.0.conv2");
        assertEquals(1, ((Layer.Conv2d) conv1).stride());
        assertEquals(2, ((Layer.Conv2d) conv2).stride());
        assertEquals(16, network.layers().stream().filter(l -> l instanceof Layer.Add).count());
    }

    private static Layer find(Network network, String name) {
        return network.layers().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    private static long convolutions(Network network) {
        return network.layers().stream().filter(l -> l instanceof Layer.Conv2d).count();
    }

    private static void assertTensorFilled(Tensor tensor, float value) {
        for (float v : tensor.data()) {
            assertEquals(value, v);
        }
    }
}
