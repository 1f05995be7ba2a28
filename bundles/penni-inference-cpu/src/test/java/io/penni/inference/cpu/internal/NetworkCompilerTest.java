package io.penni.inference.cpu.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.penni.inference.cpu.TestModels;

/** How the compiler fuses layers and shares buffers: what decides the engine's activation memory. */
class NetworkCompilerTest {

    private static Program compile(String architecture) {
        return NetworkCompiler.compile(TestModels.architecture(architecture, 1), Map.of("plain", PlainKernels.INSTANCE),
                2);
    }

    @Test
    void poolingFusedIntoTheConvolutionBeforeItIsNeverHeldAtFullSize() {
        Program vgg = compile("vgg-small");
        List<String> kinds = vgg.steps().stream().map(Step::kind).toList();
        assertEquals(List.of("conv3x3+bn+relu", "conv3x3+bn+relu+maxpool", "conv3x3+bn+relu", "conv3x3+bn+relu+maxpool",
                "conv3x3+bn+relu", "conv3x3+bn+relu+maxpool", "linear+relu", "linear"), kinds);
        // conv1's 32×28×28 output, then conv2 pooled straight to 32×14×14: two buffers, no second 32×28×28 one;
        // conv1's output is stored as conv2 stages it (rows of one zero and 28 values, 29 rows a channel, a zero row
        // and a zero after the last channel)
        int[] slots = vgg.slotSizesForDiag();
        Arrays.sort(slots);
        assertArrayEquals(new int[] {32 * 14 * 14, 32 * 29 * 29 + 29 + 1}, slots);
    }

    @Test
    void everyNonOverlappingPoolingAfterAConvolutionFusesAndNothingFusesAfterIt() {
        Program program = NetworkCompiler.compile(TestModels.fusedPooling(3), Map.of("plain", PlainKernels.INSTANCE),
                2);
        List<String> kinds = program.steps().stream().map(Step::kind).toList();
        assertEquals(List.of("decomposed3x3/d3+bn+relu+avgpool", "decomposed3x3/d4+maxpool", "conv1x1+relu+maxpool",
                "conv1x1+maxpool", "add", "linear"), kinds);
    }

    @Test
    void aResidualAddWritesOverItsShortcutSoABlockHoldsTwoActivationsNotThree() {
        Program resnet = compile("resnet-small");
        int[] slots = resnet.slotSizesForDiag();
        Arrays.sort(slots);
        // 16×28×28 block input and middle (the middle stored as the block's second convolution stages it); the
        // downsampling block's 32×14×14 second branch while its input lives
        assertArrayEquals(new int[] {32 * 14 * 14, 16 * 28 * 28, 16 * 29 * 29 + 29 + 1}, slots);
    }

    @Test
    void aConvolutionsOutputIsStoredStagedWhenItsOnlyReaderIsAStrideOneThreeByThreeConvolution() {
        Map<String, Value.Staged> vgg = staged(compile("vgg-small"));
        // conv1, conv3 and conv5 feed only conv2, conv4 and conv6; the pooled outputs and the FC's inputs stay plain
        assertEquals(Set.of("relu1", "relu3", "relu5"), vgg.keySet());
        assertEquals(new Value.Staged(29, 1, 29 * 29), vgg.get("relu1"));
        assertEquals(new Value.Staged(8, 1, 8 * 8), vgg.get("relu5"));
        Map<String, Value.Staged> resnet = staged(compile("resnet-small"));
        // every block's middle, a downsampling block's too (its stride-2 product computes rows of 14 values and the
        // padded one, as the 14 × 14 reader stages them); never a block's output, which its add reads as well
        assertEquals(Set.of("layer1.0.relu1", "layer1.1.relu1", "layer2.0.relu1", "layer2.1.relu1", "layer3.0.relu1",
                "layer3.1.relu1"), resnet.keySet());
    }

    private static Map<String, Value.Staged> staged(Program program) {
        Map<String, Value.Staged> staged = new java.util.HashMap<>();
        for (Step step : program.steps()) {
            if (step.output().staged() != null) {
                staged.put(step.layer(), step.output().staged());
            }
        }
        return staged;
    }
}
