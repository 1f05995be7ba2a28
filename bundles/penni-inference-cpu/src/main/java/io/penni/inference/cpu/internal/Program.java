package io.penni.inference.cpu.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.penni.api.model.ActivationShape;

/**
 * A compiled network: its steps, buffer slots and scratch needs. A batch of at least as many images as there
 * are threads is split into one contiguous run of images per thread, each thread taking its images through
 * every step with no synchronisation between layers; a smaller batch runs image by image, spreading the
 * steps that measured faster split over the threads.
 */
public final class Program {

    private final String network;
    private final List<Step> steps;
    private final int[] slotSizes;
    private final Value input;
    private final Value output;
    private final ActivationShape inputShape;
    private final int threads;
    /** Per-thread scratch for one image at a time, and for the step's image groups of a batch. */
    private final Scratch[] scratch;
    private Scratch[] groupScratch;
    private final Map<String, Map<String, Double>> timings = new LinkedHashMap<>();
    private Frame frame;

    Program(String network, List<Step> steps, int[] slotSizes, Value input, Value output, ActivationShape inputShape,
            int threads) {
        this.network = network;
        this.steps = List.copyOf(steps);
        this.slotSizes = slotSizes.clone();
        this.input = input;
        this.output = output;
        this.inputShape = inputShape;
        this.threads = threads;
        this.scratch = scratch(false);
    }

    private Scratch[] scratch(boolean grouped) {
        int stage = 0;
        int plane = 0;
        int acc = 0;
        for (Step s : steps) {
            int images = grouped ? s.group() : 1;
            stage = Math.max(stage, s.stageFloats(images));
            plane = Math.max(plane, s.planeFloats(images));
            acc = Math.max(acc, s.accFloats(images));
        }
        Scratch[] all = new Scratch[threads];
        for (int t = 0; t < threads; t++) {
            // one image split over the threads shares thread 0's staging (the maps): the others need none
            all[t] = new Scratch(grouped || t == 0 ? stage : 0, plane, acc);
        }
        return all;
    }

    int[] slotSizesForDiag() {
        return slotSizes.clone();
    }

    Scratch groupScratchForDiag() {
        return scratch(true)[0];
    }

    /** @return the steps, for diagnostics in this package */
    List<Step> steps() {
        return steps;
    }

    /** @return the network's name */
    public String network() {
        return network;
    }

    /** @return the shape of one input image */
    public ActivationShape inputShape() {
        return inputShape;
    }

    /** @return logits per image */
    public int outputSize() {
        return output.size();
    }

    /** @return threads a batch runs on */
    public int threads() {
        return threads;
    }

    /**
     * Runs a batch. Not thread-safe: the caller serialises runs.
     *
     * @param inputs {@code batch × input size} values
     * @param batch images
     * @param pool the threads
     * @return {@code batch × outputSize()} logits
     */
    public float[] run(float[] inputs, int batch, WorkerPool pool) {
        Frame f = frame(batch);
        f.input(inputs);
        try {
            if (batch >= threads && threads > 1) {
                if (groupScratch == null) {
                    groupScratch = scratch(true);
                }
                Scratch[] grouped = groupScratch;
                pool.run(threads, t -> {
                    int from = Step.bound(batch, threads, t, 1);
                    int to = Step.bound(batch, threads, t + 1, 1);
                    for (Step step : steps) {
                        for (int image = from; image < to; image += step.group()) {
                            step.runGroup(f, image, Math.min(step.group(), to - image), grouped[t]);
                        }
                    }
                });
            } else {
                for (int image = 0; image < batch; image++) {
                    for (Step step : steps) {
                        if (step.split() && threads > 1) {
                            step.runSplit(f, image, pool, scratch);
                        } else {
                            step.run(f, image, scratch[0]);
                        }
                    }
                }
            }
            float[] out = new float[batch * output.size()];
            float[] values = output.array(f);
            for (int image = 0; image < batch; image++) {
                System.arraycopy(values, output.offset(image), out, image * output.size(), output.size());
            }
            return out;
        } finally {
            f.input(null);
        }
    }

    private Frame frame(int batch) {
        if (frame == null || frame.capacity() < batch) {
            frame = null; // let the old buffers go before the larger ones are allocated
            frame = new Frame(slotSizes, batch);
        }
        return frame;
    }

    /** Frees the buffers; the next run allocates them again. */
    public void release() {
        frame = null;
        groupScratch = null;
    }

    /**
     * Picks each step's kernel, and whether it is split at batch 1, by timing the candidates on the step's own
     * shape with the model's own weights. Candidates are timed in turns, so a slower JIT warm-up or a busy
     * neighbour on the machine hurts all of them alike; the best time of each counts.
     *
     * @param pool the threads
     * @param budgetNanos time to spend per step, at least three turns each
     * @param allowed which candidate kernels a step may choose
     */
    public void tune(WorkerPool pool, long budgetNanos, java.util.function.Predicate<String> allowed) {
        Frame f = frame(1);
        float[] image = new float[(int) inputShape.size()];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextGaussian();
        }
        f.input(image);
        try {
            for (Step step : steps) {
                List<String> candidates = step.candidates().stream().filter(allowed).toList();
                Map<String, Double> times = new LinkedHashMap<>();
                if (!candidates.isEmpty()) {
                    // untimed first calls on this shape, so no candidate is timed while its code is still cold
                    for (int turn = 0; turn < 3; turn++) {
                        for (String c : candidates) {
                            step.choose(c);
                            step.run(f, 0, scratch[0]);
                        }
                    }
                    double[] best = race(candidates.size(), budgetNanos, c -> {
                        step.choose(candidates.get(c));
                        step.run(f, 0, scratch[0]);
                    });
                    int winner = 0;
                    for (int c = 0; c < best.length; c++) {
                        times.put(candidates.get(c), best[c] / 1e3);
                        if (best[c] < best[winner]) {
                            winner = c;
                        }
                    }
                    step.choose(candidates.get(winner));
                }
                if (step.splittable() && threads > 1) {
                    double[] best = race(2, budgetNanos / 2, c -> {
                        if (c == 0) {
                            step.run(f, 0, scratch[0]);
                        } else {
                            step.runSplit(f, 0, pool, scratch);
                        }
                    });
                    times.put("batch1-serial", best[0] / 1e3);
                    times.put("batch1-split", best[1] / 1e3);
                    step.split(best[1] < best[0]);
                } else {
                    // the step must leave its output for the next one to read
                    step.run(f, 0, scratch[0]);
                }
                step.release();
                timings.put(step.layer(), Map.copyOf(times));
            }
        } finally {
            f.input(null);
        }
    }

    private interface Candidate {
        void run(int candidate);
    }

    private static double[] race(int count, long budgetNanos, Candidate candidate) {
        double[] best = new double[count];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
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

    /**
     * Overrides the measured batch-1 split of every step that can be split.
     *
     * @param split whether to split
     */
    public void splitAll(boolean split) {
        for (Step s : steps) {
            s.split(split && s.splittable());
        }
    }

    /** @return one line per step: what it computes, how, and what the candidates measured */
    public List<StepReport> report() {
        List<StepReport> report = new ArrayList<>();
        for (Step s : steps) {
            report.add(new StepReport(s.layer(), s.kind(), s.chosen(), s.split(), s.macs(), s.weightBytes(),
                    timings.getOrDefault(s.layer(), Map.of())));
        }
        return report;
    }

    /**
     * What a step is and how it runs.
     *
     * @param layer the layer whose output it makes
     * @param kind what it computes, fused layers included
     * @param kernel the chosen kernel
     * @param split whether batch-1 runs split it over the threads
     * @param macs multiply-accumulates per image
     * @param weightBytes bytes of its parameters
     * @param micros measured candidates, microseconds for one image, best of several turns
     */
    public record StepReport(String layer, String kind, String kernel, boolean split, long macs, long weightBytes,
            Map<String, Double> micros) {
    }

    /** @return bytes of every step's parameters */
    public long weightBytes() {
        long bytes = 0;
        for (Step s : steps) {
            bytes += s.weightBytes();
        }
        return bytes;
    }

    /**
     * @param batch images
     * @return bytes of the buffers and scratch a batch of this size needs, the input and output included
     */
    public long workspaceBytes(int batch) {
        long floats = 0;
        for (int size : slotSizes) {
            floats += (long) size * batch;
        }
        floats += (long) input.size() * batch + (long) output.size() * batch;
        long bytes = floats * Float.BYTES;
        // a batch that splits into one run of images per thread uses the group scratch, a smaller one the other
        Scratch[] used = batch >= threads && threads > 1 ? groupScratch == null ? scratch(true) : groupScratch
                : scratch;
        for (Scratch s : used) {
            bytes += s.bytes();
        }
        return bytes;
    }

    /** @return multiply-accumulates per image as the chosen kernels compute them */
    public long macs() {
        long macs = 0;
        for (Step s : steps) {
            macs += s.macs();
        }
        return macs;
    }
}
