package io.penni.inference.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import io.penni.api.inference.LoadedModel;

/**
 * Times loaded models the same way for every backend: random normal inputs, untimed warm-up runs, then timed
 * runs whose median and 95th percentile are reported. Several models are timed in turns (one run of each per
 * round), so on a shared machine a busy moment slows all of them alike and their ratio stays fair.
 */
public final class LatencyProbe {

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
     * Times several models in turns.
     *
     * @param models the models; all must take the same input shape
     * @param batch images per run
     * @param warmup untimed rounds first
     * @param runs timed rounds
     * @return each model's times, in the same order
     */
    public static List<LatencyStats> interleaved(List<? extends LoadedModel> models, int batch, int warmup,
            int runs) {
        if (batch < 1 || warmup < 0 || runs < 1) {
            throw new IllegalArgumentException("batch and runs must be >= 1 and warmup >= 0, were " + batch + ", "
                    + runs + " and " + warmup);
        }
        float[] input = new float[Math.toIntExact(batch * models.get(0).inputShape().size())];
        SplittableRandom random = new SplittableRandom(batch);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        for (int w = 0; w < warmup; w++) {
            for (LoadedModel m : models) {
                m.run(input, batch);
            }
        }
        long[][] nanos = new long[models.size()][runs];
        for (int r = 0; r < runs; r++) {
            for (int m = 0; m < models.size(); m++) {
                long t0 = System.nanoTime();
                models.get(m).run(input, batch);
                nanos[m][r] = System.nanoTime() - t0;
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
