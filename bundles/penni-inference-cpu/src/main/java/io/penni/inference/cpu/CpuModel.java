package io.penni.inference.cpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.inference.LoadedModel;
import io.penni.api.model.ActivationShape;
import io.penni.inference.cpu.internal.Program;
import io.penni.inference.cpu.internal.WorkerPool;

/**
 * A model the CPU engine has compiled. Runs are serialised per model (its buffers are reused from run to
 * run); different models run at the same time.
 */
public final class CpuModel implements LoadedModel {

    private final Program program;
    private final WorkerPool pool;
    private final List<LayerPlan> plan;
    private boolean closed;

    CpuModel(Program program, WorkerPool pool) {
        this.program = program;
        this.pool = pool;
        this.plan = program.report().stream().map(r -> new LayerPlan(r.layer(), r.kind(), r.kernel(), r.batchKernel(),
                r.split(), r.macs(), r.batchMacs(), r.weightBytes(), r.micros())).toList();
    }

    /** @return the network's name */
    public String network() {
        return program.network();
    }

    /** @return each step as compiled, with the measured kernel choice */
    public List<LayerPlan> plan() {
        return plan;
    }

    /** @return multiply-accumulates per image as the chosen kernels compute them */
    public long macs() {
        return program.macs();
    }

    @Override
    public ActivationShape inputShape() {
        return program.inputShape();
    }

    @Override
    public int outputSize() {
        return program.outputSize();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the input does not hold {@code batch} images, or the model is closed
     */
    @Override
    public synchronized float[] run(float[] input, int batch) {
        if (closed) {
            throw new IllegalStateException("model " + program.network() + " is closed");
        }
        long expected = (long) batch * program.inputShape().size();
        if (batch < 1 || input.length != expected) {
            throw new IllegalArgumentException("model " + program.network() + ": a batch of " + batch + " images of "
                    + program.inputShape() + " needs " + expected + " values, got " + input.length);
        }
        return program.run(input, batch, pool);
    }

    /**
     * Times each step of the compiled program on a batch of random images: warm-up runs, then {@code runs} timed
     * runs whose per-step medians are reported. Runs like {@link #run}, so the kernels and splits are the ones a
     * batch of that size uses.
     *
     * @param batch images per run
     * @param runs timed runs, at least 1
     * @return one entry per step, in program order
     */
    public synchronized List<LayerProfile> profile(int batch, int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be >= 1, was " + runs);
        }
        float[] input = new float[Math.toIntExact(batch * program.inputShape().size())];
        java.util.SplittableRandom random = new java.util.SplittableRandom(batch);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        List<Program.StepReport> report = program.report();
        int steps = report.size();
        long[][] nanos = new long[steps][runs];
        long[] one = new long[steps];
        for (int r = -Math.max(3, runs / 5); r < runs; r++) {
            java.util.Arrays.fill(one, 0);
            run(input, batch, one);
            for (int i = 0; r >= 0 && i < steps; i++) {
                nanos[i][r] = one[i];
            }
        }
        boolean grouped = program.parallel(batch);
        List<LayerProfile> profile = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            Program.StepReport s = report.get(i);
            java.util.Arrays.sort(nanos[i]);
            profile.add(new LayerProfile(s.layer(), s.kind(), grouped ? s.batchKernel() : s.kernel()
                    + (s.split() ? " split" : ""), batch, nanos[i][(runs - 1) / 2] / 1e3,
                    (grouped ? s.batchMacs() : s.macs()) * batch,
                    s.weightBytes() + s.activationFloats() * Float.BYTES * batch));
        }
        return profile;
    }

    private float[] run(float[] input, int batch, long[] stepNanos) {
        if (closed) {
            throw new IllegalStateException("model " + program.network() + " is closed");
        }
        return program.run(input, batch, pool, stepNanos);
    }

    @Override
    public long weightBytes() {
        return program.weightBytes();
    }

    @Override
    public long workspaceBytes(int batch) {
        return program.workspaceBytes(batch);
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code plan}: per step, the kernel chosen for batch 1 and for batches, whether batch 1 splits it over the
     * threads, its MACs per image and the chosen kernels' measured time and GFLOP/s on one thread.
     */
    @Override
    public Map<String, Object> details() {
        List<Object> steps = new ArrayList<>();
        for (LayerPlan p : plan) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("layer", p.layer());
            step.put("kind", p.kind());
            step.put("kernel", p.kernel());
            step.put("batch_kernel", p.batchKernel());
            step.put("split_at_batch_1", p.splitAtBatchOne());
            step.put("macs", p.macs());
            step.put("batch_macs", p.batchMacs());
            p.chosenMicros().ifPresent(t -> {
                step.put("micros", round(t));
                step.put("gflops", round(2.0 * p.macs() / (t * 1e3)));
            });
            p.chosenBatchMicros().ifPresent(t -> {
                step.put("batch_micros_per_image", round(t));
                step.put("batch_gflops", round(2.0 * p.batchMacs() / (t * 1e3)));
            });
            steps.add(step);
        }
        return Map.of("plan", steps);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    @Override
    public synchronized void close() {
        closed = true;
        program.release();
    }
}
