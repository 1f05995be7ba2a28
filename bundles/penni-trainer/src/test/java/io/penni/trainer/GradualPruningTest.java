package io.penni.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GradualPruningTest {

    @Test
    void theShareFollowsTheCubicScheduleAndEndsAtOne() {
        assertEquals(0, GradualPruning.share(0, 100));
        assertEquals(0.875, GradualPruning.share(50, 100), 1e-12);
        assertEquals(1 - 0.9 * 0.9 * 0.9, GradualPruning.share(10, 100), 1e-12);
        assertEquals(1, GradualPruning.share(100, 100));
        assertEquals(1, GradualPruning.share(250, 100));
        for (int t = 1; t <= 100; t++) {
            assertTrue(GradualPruning.share(t, 100) > GradualPruning.share(t - 1, 100), "rises at " + t);
        }
    }

    @Test
    void theSmallestMagnitudesGoFirstTiesByIndex() {
        float[] values = {0.5f, -0.1f, 0.3f, 0.1f, -2f, 0f};
        assertArrayEquals(new int[] {5, 1, 3}, GradualPruning.smallest(values, new int[] {0, 1, 2, 3, 4, 5}, 3));
        assertArrayEquals(new int[] {3, 2}, GradualPruning.smallest(values, new int[] {0, 2, 3, 4}, 2));
        assertArrayEquals(new int[0], GradualPruning.smallest(values, new int[] {0, 2}, 0));
    }

    @Test
    void updatesComeAboutTwentyFiveTimesAnEpochAndAtEveryEpochStart() {
        GradualPruning g = new GradualPruning(Map.of("w", Nd4j.ones(4)), 2, 100);
        int inRamp = 0;
        for (long step = 0; step < 200; step++) {
            inRamp += g.updatesAt(step) ? 1 : 0;
        }
        assertEquals(50, inRamp);
        assertTrue(g.updatesAt(200), "the ramp's end");
        assertFalse(g.updatesAt(204), "none after the ramp but at epoch starts");
        assertTrue(g.updatesAt(300), "an epoch start");
    }

    @Test
    void theMasksGrowFromNothingToExactlyTheStrategysByMagnitude() {
        int n = 1000;
        Random random = new Random(5);
        float[] keep = new float[n];
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            keep[i] = random.nextDouble() < 0.9 ? 0f : 1f;
            w[i] = (float) random.nextGaussian();
        }
        INDArray finalMask = Nd4j.create(keep, new long[] {10, 100}, 'c');
        INDArray p = Nd4j.create(w.clone(), new long[] {10, 100}, 'c');
        Map<String, INDArray> parameters = Map.of("w", p);
        Map<String, INDArray> masks = new HashMap<>(Map.of("w", finalMask));
        GradualPruning g = new GradualPruning(masks, 2, 40);
        int pruned = 0;
        for (float k : keep) {
            pruned += k == 0f ? 1 : 0;
        }

        g.update(0, parameters, masks);
        assertEquals(n, masks.get("w").sumNumber().intValue(), "nothing pruned at the first step");
        assertArrayEquals(w, GradualPruning.floats(p), 0f, "and nothing zeroed");

        int zeroBefore = 0;
        for (long step : new long[] {8, 40, 72}) {
            g.update(step, parameters, masks);
            float[] m = GradualPruning.floats(masks.get("w"));
            float[] now = GradualPruning.floats(p);
            int zero = 0;
            float largestZeroed = 0;
            float smallestKeptCandidate = Float.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                if (m[i] == 0f) {
                    zero++;
                    assertEquals(0f, keep[i], "only what the strategy pruned goes, step " + step);
                    assertEquals(0f, now[i], 0f);
                    largestZeroed = Math.max(largestZeroed, Math.abs(w[i]));
                } else if (keep[i] == 0f) {
                    smallestKeptCandidate = Math.min(smallestKeptCandidate, Math.abs(w[i]));
                }
            }
            assertEquals(Math.round(GradualPruning.share(step, 80) * pruned), zero, "the schedule's count, step " + step);
            assertTrue(largestZeroed <= smallestKeptCandidate, "smallest magnitudes first, step " + step);
            assertTrue(zero > zeroBefore, "more go as the ramp goes on");
            zeroBefore = zero;
        }

        g.update(80, parameters, masks);
        assertArrayEquals(keep, GradualPruning.floats(masks.get("w")), 0f, "the ramp ends at the strategy's masks");
        float[] now = GradualPruning.floats(p);
        for (int i = 0; i < n; i++) {
            assertEquals(keep[i] == 0f ? 0f : w[i], now[i], 0f, "value " + i);
        }
    }
}
