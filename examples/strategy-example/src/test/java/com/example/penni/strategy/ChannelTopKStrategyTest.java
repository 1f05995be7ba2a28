package com.example.penni.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.penni.api.prune.MaskOutcome;
import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.TensorKind;
import io.penni.api.prune.TensorMask;

class ChannelTopKStrategyTest {

    /** Two output channels of three values each, [2, 1, 3]. */
    private static PrunableTensor tensor(float[] values, boolean[] previous) {
        return new PrunableTensor("conv", TensorKind.COEFFICIENTS, 0, new int[] {2, 1, 3}, values, previous,
                new float[] {1f, 1f, 1f});
    }

    private static boolean[] all(int n) {
        boolean[] keep = new boolean[n];
        Arrays.fill(keep, true);
        return keep;
    }

    private static TensorMask mask(MaskOutcome outcome) {
        return assertInstanceOf(MaskOutcome.Masks.class, outcome).masks().get(0);
    }

    @Test
    void keepsTheKLargestMagnitudesOfEachOutputChannel() {
        float[] values = {0.1f, -3f, 2f, 5f, 0.2f, -0.3f};
        TensorMask mask = mask(new ChannelTopKStrategy().computeMask(List.of(tensor(values, all(6))), Map.of()));
        assertEquals("conv", mask.layer());
        assertArrayEquals(new boolean[] {false, true, true, true, false, true}, mask.keep());
    }

    @Test
    void valuesPrunedBeforeStayPruned() {
        float[] values = {0.1f, -3f, 2f, 5f, 0.2f, -0.3f};
        boolean[] previous = {true, false, true, true, true, true};
        TensorMask mask = mask(new ChannelTopKStrategy().computeMask(List.of(tensor(values, previous)),
                Map.of("k", "2")));
        assertArrayEquals(new boolean[] {true, false, true, true, false, true}, mask.keep());
    }

    @Test
    void aRequestsKOverridesTheConfiguredOne() {
        float[] values = {1f, 2f, 3f, 4f, 5f, 6f};
        TensorMask mask = mask(new ChannelTopKStrategy().computeMask(List.of(tensor(values, all(6))),
                Map.of("k", "1")));
        assertArrayEquals(new boolean[] {false, false, true, false, false, true}, mask.keep());
    }

    @Test
    void aKThatIsNotAPositiveIntegerIsRefusedNamingIt() {
        assertEquals("strategy channel-top-k: parameter 'k' must be an integer >= 1, was '0'",
                new ChannelTopKStrategy().checkParameters(Map.of("k", "0")).orElseThrow());
    }
}
