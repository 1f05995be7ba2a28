package io.penni.inference.cpu.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
        // conv1's 32×28×28 output, then conv2 pooled straight to 32×14×14: two buffers, no second 32×28×28 one
        int[] slots = vgg.slotSizesForDiag();
        Arrays.sort(slots);
        assertArrayEquals(new int[] {32 * 14 * 14, 32 * 28 * 28}, slots);
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
        // 16×28×28 block input and middle; the downsampling block's 32×14×14 second branch while its input lives
        assertArrayEquals(new int[] {32 * 14 * 14, 16 * 28 * 28, 16 * 28 * 28}, slots);
    }
}
