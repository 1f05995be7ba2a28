package io.penni.inference.cpu;

import java.util.List;

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

    @Override
    public long weightBytes() {
        return program.weightBytes();
    }

    @Override
    public long workspaceBytes(int batch) {
        return program.workspaceBytes(batch);
    }

    @Override
    public synchronized void close() {
        closed = true;
        program.release();
    }
}
