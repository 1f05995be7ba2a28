package io.penni.inference.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.penni.api.inference.LoadedModel;
import io.penni.api.model.ActivationShape;

class LatencyProbeTest {

    /** A model whose run takes a known, growing time and counts its calls, and writes its name to a log. */
    private static final class SleepingModel implements LoadedModel {
        final AtomicInteger runs = new AtomicInteger();
        final String name;
        final List<String> log;

        SleepingModel() {
            this("", new ArrayList<>());
        }

        SleepingModel(String name, List<String> log) {
            this.name = name;
            this.log = log;
        }

        @Override
        public ActivationShape inputShape() {
            return new ActivationShape(1, 2, 2);
        }

        @Override
        public int outputSize() {
            return 1;
        }

        @Override
        public float[] run(float[] input, int batch) {
            int n = runs.incrementAndGet();
            log.add(name);
            long until = System.nanoTime() + 200_000L * n;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return new float[batch];
        }

        @Override
        public long weightBytes() {
            return 0;
        }

        @Override
        public long workspaceBytes(int batch) {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void modelsRunInTurnsABlockEachAfterAnUntimedRun() {
        List<String> log = new ArrayList<>();
        SleepingModel a = new SleepingModel("a", log);
        SleepingModel b = new SleepingModel("b", log);
        LatencyProbe.interleaved(List.of(a, b), 3, 2, 5);
        // two warm-up rounds; then rounds of one untimed and up to BLOCK (4) timed runs: 4 + 1 timed
        assertEquals(List.of("a", "b", "a", "b", "a", "a", "a", "a", "a", "b", "b", "b", "b", "b", "a", "a", "b", "b"),
                log);
    }

    @Test
    void oneModelAloneRunsWarmupPlusTimedRuns() {
        SleepingModel a = new SleepingModel();
        LatencyProbe.measure(a, 1, 2, 5);
        assertEquals(7, a.runs.get());
    }

    @Test
    void warmupGoesOnUntilItsMinimumTimeHasPassedAsWellAsItsRounds() {
        SleepingModel a = new SleepingModel();
        long t0 = System.nanoTime();
        LatencyProbe.interleaved(List.of(a), 1, 2, java.time.Duration.ofMillis(300), 5);
        long warmupRuns = a.runs.get() - 5;
        assertTrue(System.nanoTime() - t0 >= 300_000_000L, "took at least the minimum warm-up");
        // each run sleeps 0.2 to 1.8 ms: 300 ms of them is far more than two rounds
        assertTrue(warmupRuns > 20, "warm-up runs " + warmupRuns);
        SleepingModel b = new SleepingModel();
        LatencyProbe.interleaved(List.of(b), 1, 2, java.time.Duration.ZERO, 5);
        assertEquals(7, b.runs.get());
    }

    @Test
    void theMedianLiesBetweenTheFastestAndThe95thPercentile() {
        LatencyStats s = LatencyProbe.measure(new SleepingModel(), 1, 0, 9);
        // runs take 0.2, 0.4, ... 1.8 ms: the median is the fifth, the p95 the ninth
        assertTrue(s.minMs() >= 0.2 && s.minMs() < s.medianMs() && s.medianMs() < s.p95Ms(), s.toString());
        assertTrue(s.medianMs() >= 1.0 && s.p95Ms() >= 1.8, s.toString());
    }

    @Test
    void gflopsCountTwoOperationsPerMultiplyAccumulate() {
        LatencyStats s = new LatencyStats(4, 1, 2.0, 2.0, 2.0);
        assertEquals(2.0 * 1_000_000 * 4 / 2e-3 / 1e9, s.gflops(1_000_000), 1e-9);
        assertEquals(2000.0, s.imagesPerSecond(), 1e-9);
    }
}
