package io.penni.inference.cpu;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import io.penni.api.inference.LoadedModel;

/**
 * Times loaded models the same way for every backend: random normal inputs, untimed warm-up runs, then timed
 * runs whose median and 95th percentile are reported. Several models are timed in turns, a short block of runs
 * of each per round, so on a shared machine a busy moment slows all of them alike and their ratio stays fair.
 * Each block starts with one untimed run: a backend's threads may go on spinning for a while after its last run
 * (ND4J's do), and that run, not a timed one, absorbs what they take from the next model.
 */
public final class LatencyProbe {

    /** Timed runs of one model per round. */
    static final int BLOCK = 4;

    private LatencyProbe() {
    }

    /**
     * Times one model.
     *
     * @param model the model
     * @param batch images per run
     * @param warmup untimed runs first
     * @param runs timed runs
     * @return the times
     */
    public static LatencyStats measure(LoadedModel model, int batch, int warmup, int runs) {
        return interleaved(List.of(model), batch, warmup, runs).get(0);
    }

    /**
     * Times several models in turns: per round, each model runs once untimed, then {@link #BLOCK} timed runs.
     *
     * @param models the models; all must take the same input shape
     * @param batch images per run
     * @param warmup untimed rounds first
     * @param runs timed runs of each model
     * @return each model's times, in the same order
     */
    public static List<LatencyStats> interleaved(List<? extends LoadedModel> models, int batch, int warmup,
            int runs) {
        return interleaved(models, batch, warmup, Duration.ZERO, runs);
    }

    /**
     * The warm-up a report needs before its timings mean anything: JIT compilers turn a Java engine's kernels into
     * machine code only after many runs, so a count of a few runs leaves them interpreted (the demo's compressed
     * vgg-small timed 1.59 ms at batch 1 after 3 warm-up runs in its report, 0.46 ms after this warm-up). One second
     * of runs covers it on this project's models.
     */
    public static final Duration JIT_WARMUP = Duration.ofSeconds(1);

    /**
     * As {@link #interleaved(List, int, int, int)}, the warm-up rounds going on until both {@code warmup} rounds
     * have run and {@code minWarmup} has passed.
     *
     * @param models the models; all must take the same input shape
     * @param batch images per run
     * @param warmup untimed rounds first, at least
     * @param minWarmup how long the untimed rounds go on at least
     * @param runs timed runs of each model
     * @return each model's times, in the same order
     */
    public static List<LatencyStats> interleaved(List<? extends LoadedModel> models, int batch, int warmup,
            Duration minWarmup, int runs) {
        if (batch < 1 || warmup < 0 || runs < 1 || minWarmup.isNegative()) {
            throw new IllegalArgumentException("batch and runs must be >= 1 and warmup >= 0, were " + batch + ", "
                    + runs + " and " + warmup);
        }
        float[] input = new float[Math.toIntExact(batch * models.get(0).inputShape().size())];
        SplittableRandom random = new SplittableRandom(batch);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        long warmupEnd = System.nanoTime() + minWarmup.toNanos();
        for (int w = 0; w < warmup || System.nanoTime() < warmupEnd; w++) {
            for (LoadedModel m : models) {
                m.run(input, batch);
            }
        }
        long[][] nanos = new long[models.size()][runs];
        for (int first = 0; first < runs; first += BLOCK) {
            for (int m = 0; m < models.size(); m++) {
                LoadedModel model = models.get(m);
                if (models.size() > 1) {
                    model.run(input, batch);
                }
                for (int r = first; r < Math.min(runs, first + BLOCK); r++) {
                    long t0 = System.nanoTime();
                    model.run(input, batch);
                    nanos[m][r] = System.nanoTime() - t0;
                }
            }
        }
        List<LatencyStats> stats = new ArrayList<>();
        for (long[] times : nanos) {
            Arrays.sort(times);
            stats.add(new LatencyStats(batch, runs, times[(runs - 1) / 2] / 1e6,
                    times[Math.min(runs - 1, (int) Math.ceil(0.95 * runs) - 1)] / 1e6, times[0] / 1e6));
        }
        return stats;
    }
}
