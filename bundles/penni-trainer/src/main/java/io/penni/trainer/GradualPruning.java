package io.penni.trainer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reaches a run's masks gradually (Zhu and Gupta's schedule, 2017): of the values a mask prunes, the share zeroed
 * after step {@code t} of a ramp of {@code T} steps is {@code 1 - (1 - t/T)^3} (fast at first, while much of what
 * goes is near zero, slow at the end), and at {@code T} every mask holds in full. Which of them go first is decided by
 * magnitude at each update: the smallest {@code |value|} among those the mask prunes. What ends at zero is exactly what
 * the masks say — the strategy that made them decides which values, this only when.
 *
 * <p>Updates happen about {@value #UPDATES_PER_EPOCH} times an epoch and at the start of every epoch. An update
 * depends only on the step and the parameters' current values (the values already zeroed are the smallest, so they
 * stay zeroed), so a run resumed from an epoch's checkpoint computes the masks the uninterrupted run used.
 */
final class GradualPruning {

    /** Updates per epoch, besides the one at its start. */
    static final int UPDATES_PER_EPOCH = 25;

    private final Map<String, float[]> finals = new LinkedHashMap<>();
    private final Map<String, int[]> pruned = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final long rampSteps;
    private final int stepsPerEpoch;
    private final int interval;

    /**
     * @param masks the masks to reach (1 keep, 0 pruned) by parameter name
     * @param epochs the ramp's epochs
     * @param stepsPerEpoch steps in an epoch
     */
    GradualPruning(Map<String, INDArray> masks, int epochs, int stepsPerEpoch) {
        if (epochs < 1 || stepsPerEpoch < 1) {
            throw new IllegalArgumentException("a ramp of " + epochs + " epochs of " + stepsPerEpoch + " steps");
        }
        this.rampSteps = (long) epochs * stepsPerEpoch;
        this.stepsPerEpoch = stepsPerEpoch;
        this.interval = Math.max(1, (stepsPerEpoch + UPDATES_PER_EPOCH - 1) / UPDATES_PER_EPOCH);
        masks.forEach((name, mask) -> {
            float[] keep = floats(mask);
            finals.put(name, keep);
            shapes.put(name, mask.shape());
            pruned.put(name, java.util.stream.IntStream.range(0, keep.length).filter(i -> keep[i] == 0f).toArray());
        });
    }

    /**
     * @param step the step, from 0 over the whole run
     * @param rampSteps the ramp's length in steps
     * @return the share of each mask's pruned values that are zero from this step on
     */
    static double share(long step, long rampSteps) {
        if (step >= rampSteps) {
            return 1;
        }
        double left = 1 - (double) step / rampSteps;
        return 1 - left * left * left;
    }

    /**
     * @param step the step about to run, from 0 over the whole run
     * @return whether the masks change before it
     */
    boolean updatesAt(long step) {
        return step % stepsPerEpoch == 0 || (step <= rampSteps && (step % interval == 0 || step == rampSteps));
    }

    /**
     * Sets the masks for the steps from {@code step} to the next update, and zeroes what they prune.
     *
     * @param step the step about to run, from 0 over the whole run
     * @param parameters the live parameters by name
     * @param masks the live masks the optimizer holds, by name; replaced here
     */
    void update(long step, Map<String, INDArray> parameters, Map<String, INDArray> masks) {
        double share = share(step, rampSteps);
        for (Map.Entry<String, float[]> e : finals.entrySet()) {
            String name = e.getKey();
            INDArray p = parameters.get(name);
            float[] mask = e.getValue().clone();
            if (share < 1) {
                int[] candidates = pruned.get(name);
                int zero = (int) Math.round(share * candidates.length);
                for (int i : candidates) {
                    mask[i] = 1f;
                }
                for (int i : smallest(floats(p), candidates, zero)) {
                    mask[i] = 0f;
                }
            }
            INDArray m = Nd4j.create(mask, shapes.get(name), 'c').castTo(p.dataType());
            masks.put(name, m);
            p.muli(m);
        }
    }

    /** An array's values in row-major order, as floats. */
    static float[] floats(INDArray a) {
        return Trainer.toTensor(a).data();
    }

    /** The {@code n} candidates of smallest magnitude, ties by index (so the same values give the same answer). */
    static int[] smallest(float[] values, int[] candidates, int n) {
        long[] keys = new long[candidates.length];
        for (int k = 0; k < candidates.length; k++) {
            int i = candidates[k];
            // a non-negative float's bits order like its value
            keys[k] = ((long) Float.floatToIntBits(Math.abs(values[i])) << 32) | i;
        }
        Arrays.sort(keys);
        int[] chosen = new int[n];
        for (int k = 0; k < n; k++) {
            chosen[k] = (int) keys[k];
        }
        return chosen;
    }
}
