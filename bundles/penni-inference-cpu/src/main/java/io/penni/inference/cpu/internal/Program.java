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
 * every step, {@link #PASS} at a time, with no synchronisation between layers; a smaller batch runs image by
 * image, spreading the steps that measured faster split over the threads. Either way the buffers hold a few
 * images (a pass per thread), not the batch.
 */
public final class Program {

    /**
     * Images a thread takes through the whole network before its next ones: its buffers hold this many images
     * whatever the batch, and a pass's activations stay in the core's cache from one layer to the next.
     */
    static final int PASS = 4;

    private final String network;
    private final List<Step> steps;
    private final int[] slotSizes;
    private final Value input;
    private final Value output;
    private final ActivationShape inputShape;
    private final int threads;
    /** Per-thread scratch for one image at a time, and for the step's image groups of a batch. */
    private Scratch[] scratch;
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
        int splitStage = 0;
        for (Step s : steps) {
            stage = Math.max(stage, s.stageFloats(grouped));
            plane = Math.max(plane, s.planeFloats(grouped));
            acc = Math.max(acc, s.accFloats(grouped));
            splitStage = Math.max(splitStage, s.splitStageFloats());
        }
        Scratch[] all = new Scratch[threads];
        for (int t = 0; t < threads; t++) {
            // one image split over the threads shares thread 0's staging where a step's threads share it
            all[t] = new Scratch(grouped || t == 0 ? stage : splitStage, plane, acc);
        }
        return all;
    }

    int[] slotSizesForDiag() {
        return slotSizes.clone();
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
        return run(inputs, batch, pool, null);
    }

    /**
     * Runs a batch, adding each step's time to {@code stepNanos} (for profiles). Where a batch runs as one run of
     * images per thread, the calling thread's share is timed: the threads run alike, so that is the step's part of
     * the batch's wall time.
     *
     * @param inputs {@code batch × input size} values
     * @param batch images
     * @param pool the threads
     * @param stepNanos one entry per step, added to; or null for no timing
     * @return {@code batch × outputSize()} logits
     */
    public float[] run(float[] inputs, int batch, WorkerPool pool, long[] stepNanos) {
        float[] out = new float[batch * output.size()];
        if (parallel(batch)) {
            int lanes = lanesPerThread(batch);
            Frame f = frame(lanes * threads);
            if (groupScratch == null) {
                groupScratch = scratch(true);
            }
            Scratch[] grouped = groupScratch;
            pool.run(threads, t -> {
                long[] timed = t == 0 ? stepNanos : null;
                int from = Step.bound(batch, threads, t, 1);
                int to = Step.bound(batch, threads, t + 1, 1);
                int lane0 = t * lanes;
                for (int first = from; first < to; first += lanes) {
                    int count = Math.min(lanes, to - first);
                    f.load(inputs, first, lane0, count);
                    for (int i = 0; i < steps.size(); i++) {
                        long t0 = timed == null ? 0 : System.nanoTime();
                        runPass(steps.get(i), f, lane0, count, grouped[t]);
                        if (timed != null) {
                            timed[i] += System.nanoTime() - t0;
                        }
                    }
                    unload(f, lane0, first, count, out);
                }
            });
            return out;
        }
        Frame f = frame(1);
        for (int image = 0; image < batch; image++) {
            f.load(inputs, image, 0, 1);
            for (int i = 0; i < steps.size(); i++) {
                long t0 = stepNanos == null ? 0 : System.nanoTime();
                Step step = steps.get(i);
                if (step.split() && threads > 1) {
                    step.runSplit(f, 0, pool, scratch);
                } else {
                    step.run(f, 0, scratch[0]);
                }
                if (stepNanos != null) {
                    stepNanos[i] += System.nanoTime() - t0;
                }
            }
            unload(f, 0, image, 1, out);
        }
        return out;
    }

    /** Runs one step on lanes {@code [lane0, lane0 + count)}, the step's group of images at a time. */
    static void runPass(Step step, Frame f, int lane0, int count, Scratch scratch) {
        for (int i = 0; i < count; i += step.group()) {
            step.runGroup(f, lane0 + i, Math.min(step.group(), count - i), scratch);
        }
    }

    /**
     * @param batch images
     * @return whether a batch of that size runs as one run of images per thread (else image by image, steps maybe
     *     split)
     */
    public boolean parallel(int batch) {
        return batch >= threads && threads > 1;
    }

    /** @return lanes each thread takes its run of images through the network in: at most {@link #PASS} */
    private int lanesPerThread(int batch) {
        return Math.min(PASS, (batch + threads - 1) / threads);
    }

    private void unload(Frame f, int lane, int first, int count, float[] out) {
        float[] values = output.array(f);
        int size = output.size();
        for (int i = 0; i < count; i++) {
            System.arraycopy(values, output.offset(lane + i), out, (first + i) * size, size);
        }
    }

    private Frame frame(int lanes) {
        if (frame == null || frame.capacity() < lanes) {
            frame = null; // let the old buffers go before the larger ones are allocated
            frame = new Frame(slotSizes, input.size(), lanes);
        }
        return frame;
    }

    /** Frees the buffers; the next run allocates them again. */
    public void release() {
        frame = null;
        groupScratch = null;
    }

    /**
     * Picks each step's kernel, once for image-by-image runs and once for a thread's pass of a batch, and whether
     * it is split at batch 1, by timing the candidates on the step's own shape with the model's own weights
     * ({@link StepTuner}); then sizes the scratch again for the choices made.
     *
     * @param pool the threads
     * @param budgetNanos time to spend per step, at least three turns each
     * @param allowed which candidate kernels a step may choose
     */
    public void tune(WorkerPool pool, long budgetNanos, java.util.function.Predicate<String> allowed) {
        // lanes for one pass of a batch on one thread, every lane holding the same random image
        Frame f = frame(PASS);
        float[] image = new float[(int) inputShape.size()];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextGaussian();
        }
        for (int lane = 0; lane < PASS; lane++) {
            f.load(image, 0, lane, 1);
        }
        if (groupScratch == null) {
            groupScratch = scratch(true);
        }
        timings.putAll(new StepTuner(f, scratch, groupScratch[0], pool, threads, allowed).tune(steps, budgetNanos));
        resize();
    }

    /**
     * Steps whose work at batch 1 is at least this many multiply-accumulates are split over the threads when
     * chosen by rule. On two cores a split costs a hand-over to a spinning worker and a join, a microsecond or
     * two: steps of about 5 µs and more gain. At 400 K (the earlier rule) no layer of resnet-small and few of
     * vgg-small split; at 50 K every layer but the last FC and the pooling does, and batch 1 took 0.71-0.84x the
     * time on resnet-small and 0.80-0.89x on vgg-small (in-process A/B, quiet, G1; under the ORT benchmark's
     * serial collector resnet-small's gain came and went from process to process).
     */
    static final long SPLIT_MACS = 50_000;

    /**
     * Makes every choice by rule, with no timing ({@link Step#decide}): the same model gets the same kernels in
     * every process. Batch-1 runs split the steps of at least {@link #SPLIT_MACS}.
     *
     * @param allowed which candidate kernels a step may choose
     */
    public void decide(java.util.function.Predicate<String> allowed) {
        for (Step s : steps) {
            s.decide(allowed);
            s.split(threads > 1 && s.splittable() && s.macs(false) >= SPLIT_MACS);
            s.release();
        }
        resize();
    }

    /** Sizes the scratch again for the choices made: kernels, forms and splits. */
    private void resize() {
        scratch = scratch(false);
        groupScratch = null;
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
        resize();
    }

    /** @return one line per step: what it computes, how, and what the candidates measured */
    public List<StepReport> report() {
        List<StepReport> report = new ArrayList<>();
        for (Step s : steps) {
            report.add(new StepReport(s.layer(), s.kind(), s.chosen(false), s.chosen(true), s.split(), s.macs(false),
                    s.macs(true), s.weightBytes(), s.activationFloats(), timings.getOrDefault(s.layer(), Map.of())));
        }
        return report;
    }

    /**
     * What a step is and how it runs.
     *
     * @param layer the layer whose output it makes
     * @param kind what it computes, fused layers included
     * @param kernel the kernel chosen for image-by-image runs
     * @param batchKernel the kernel chosen for batches
     * @param split whether batch-1 runs split it over the threads
     * @param macs multiply-accumulates per image, image by image
     * @param batchMacs multiply-accumulates per image in a batch
     * @param weightBytes bytes of its parameters
     * @param activationFloats floats per image it reads and writes: its inputs and its output
     * @param micros measured candidates, microseconds per image, best of several turns; {@code batch-} names
     *     timed as one thread's pass of a batch
     */
    public record StepReport(String layer, String kind, String kernel, String batchKernel, boolean split, long macs,
            long batchMacs, long weightBytes, long activationFloats, Map<String, Double> micros) {
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
     * @return bytes of the buffers and scratch a batch of this size needs: the caller's input and the output,
     *     the lanes' input copies and slots, and every thread's scratch
     */
    public long workspaceBytes(int batch) {
        int lanes = parallel(batch) ? lanesPerThread(batch) * threads : 1;
        long floats = (long) input.size() * lanes + Scratch.SLACK;
        for (int size : slotSizes) {
            floats += (long) size * lanes + Scratch.SLACK;
        }
        floats += (long) input.size() * batch + (long) output.size() * batch;
        long bytes = floats * Float.BYTES;
        // a batch that splits into one run of images per thread uses the group scratch, a smaller one the other
        Scratch[] used = parallel(batch) ? groupScratch == null ? scratch(true) : groupScratch : scratch;
        for (Scratch s : used) {
            bytes += s.bytes();
        }
        return bytes;
    }

    /** @return multiply-accumulates per image as the chosen kernels compute them */
    public long macs() {
        long macs = 0;
        for (Step s : steps) {
            macs += s.macs(false);
        }
        return macs;
    }
}
