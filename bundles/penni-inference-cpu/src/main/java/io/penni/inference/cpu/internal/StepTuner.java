package io.penni.inference.cpu.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Picks each step's kernel, once for image-by-image runs and once for a thread's pass of a batch (the shapes
 * differ, and so does the winner), and whether it is split at batch 1, by timing the candidates on the step's own
 * shape with the model's own weights. Candidates are timed in turns, so a slower JIT warm-up or a busy neighbour
 * on the machine hurts all of them alike; the best time of each counts. A {@link Program} tunes its steps with
 * one; running them is the program's job.
 */
final class StepTuner {

    /** Untimed runs of each candidate before the timed ones: the code around the kernels compiles meanwhile. */
    private static final int WARM_TURNS = 10;

    private final Frame frame;
    private final Scratch[] scratch;
    private final Scratch batchScratch;
    private final WorkerPool pool;
    private final int threads;
    private final Predicate<String> allowed;

    /**
     * @param frame buffers with {@link Program#PASS} lanes, each loaded with the same image
     * @param scratch every thread's scratch for image-by-image runs
     * @param batchScratch one thread's scratch for a pass of a batch
     * @param pool the threads
     * @param threads how many of them a step may be split over
     * @param allowed which candidate kernels a step may choose
     */
    StepTuner(Frame frame, Scratch[] scratch, Scratch batchScratch, WorkerPool pool, int threads,
            Predicate<String> allowed) {
        this.frame = frame;
        this.scratch = scratch;
        this.batchScratch = batchScratch;
        this.pool = pool;
        this.threads = threads;
        this.allowed = allowed;
    }

    /**
     * Tunes the steps in order, each reading what the one before it left in the frame.
     *
     * @param steps the program's steps
     * @param budgetNanos time to spend per step, at least three turns each
     * @return what each step's candidates measured, microseconds per image, by the step's layer
     */
    Map<String, Map<String, Double>> tune(List<Step> steps, long budgetNanos) {
        Map<String, Map<String, Double>> timings = new LinkedHashMap<>();
        // a first round at a quarter of the budget only warms up: the JIT compiles the code around the kernels
        // for every layer's shapes, and a later layer's compilation no longer lands in an earlier one's timing
        for (int round = 0; round < 2; round++) {
            boolean last = round == 1;
            long budget = last ? budgetNanos : budgetNanos / 4;
            for (Step step : steps) {
                Map<String, Double> times = tuneStep(step, budget);
                if (last) {
                    step.release();
                    timings.put(step.layer(), Map.copyOf(times));
                }
            }
        }
        return timings;
    }

    private Map<String, Double> tuneStep(Step step, long budgetNanos) {
        List<String> candidates = step.candidates().stream().filter(allowed).toList();
        Map<String, Double> times = new LinkedHashMap<>();
        if (!candidates.isEmpty()) {
            // image by image (batch 1), then as one thread's pass of a batch; per image, best of several turns
            pick(step, candidates, budgetNanos, false, times, () -> step.run(frame, 0, scratch[0]));
            pick(step, candidates, budgetNanos, true, times,
                    () -> Program.runPass(step, frame, 0, Program.PASS, batchScratch));
        }
        if (step.splittable() && threads > 1) {
            double[] best = race(2, budgetNanos / 2, c -> {
                if (c == 0) {
                    step.run(frame, 0, scratch[0]);
                } else {
                    step.runSplit(frame, 0, pool, scratch);
                }
            });
            times.put("batch1-serial", best[0] / 1e3);
            times.put("batch1-split", best[1] / 1e3);
            step.split(best[1] < best[0]);
        } else {
            // the step must leave its output for the next one to read
            step.run(frame, 0, scratch[0]);
        }
        // and in every lane, for the next step's timing as part of a batch
        Program.runPass(step, frame, 0, Program.PASS, batchScratch);
        return times;
    }

    /** Times each candidate run one way, in turns after untimed warm-up calls, and chooses the fastest. */
    private static void pick(Step step, List<String> candidates, long budgetNanos, boolean batch,
            Map<String, Double> times, Runnable run) {
        // untimed first calls on this shape, so no candidate is timed while its code is still cold
        for (int turn = 0; turn < WARM_TURNS; turn++) {
            for (String c : candidates) {
                step.choose(c, batch);
                run.run();
            }
        }
        double[] best = race(candidates.size(), budgetNanos, c -> {
            step.choose(candidates.get(c), batch);
            run.run();
        });
        int winner = 0;
        for (int c = 0; c < best.length; c++) {
            // a batch's candidates ran a whole pass: per image, like the others
            times.put(batch ? "batch-" + candidates.get(c) : candidates.get(c),
                    best[c] / 1e3 / (batch ? Program.PASS : 1));
            if (best[c] < best[winner]) {
                winner = c;
            }
        }
        step.choose(candidates.get(winner), batch);
    }

    private interface Candidate {
        void run(int candidate);
    }

    private static double[] race(int count, long budgetNanos, Candidate candidate) {
        double[] best = new double[count];
        Arrays.fill(best, Double.MAX_VALUE);
        long start = System.nanoTime();
        for (int turn = 0; turn < 200; turn++) {
            for (int c = 0; c < count; c++) {
                long t0 = System.nanoTime();
                candidate.run(c);
                best[c] = Math.min(best[c], System.nanoTime() - t0);
            }
            if (turn >= 2 && System.nanoTime() - start > budgetNanos) {
                break;
            }
        }
        return best;
    }
}
