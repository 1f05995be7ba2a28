package io.penni.inference.cpu.internal;

import java.util.Map;

/**
 * A fully connected layer (batch norm after it folded in): a matrix-vector product per image through the
 * measured-fastest {@link Kernels}, then bias, a fused residual and a fused ReLU.
 */
final class LinearStep extends KernelStep {

    private final Value input;
    private final float[] weight;
    private final int out;
    private final int in;
    private final Epilogue epilogue;

    LinearStep(String layer, String kind, Value input, Value output, float[] weight, int out, int in,
            Epilogue epilogue, Map<String, Kernels> kernels) {
        super(layer, kind, output, kernels, 1);
        this.input = input;
        // slack past the last row keeps the matrix-vector kernel's masked tail loads in bounds (see Scratch)
        this.weight = java.util.Arrays.copyOf(weight, weight.length + Scratch.SLACK);
        this.out = out;
        this.in = in;
        this.epilogue = epilogue;
    }

    @Override
    void compute(Frame frame, int from, int count, Scratch s, boolean batch) {
        for (int image = from; image < from + count; image++) {
            rows(frame, image, 0, out, batch);
        }
    }

    @Override
    boolean splittable() {
        return true;
    }

    @Override
    void runSplit(Frame frame, int image, WorkerPool pool, Scratch[] s) {
        int parts = pool.threads();
        pool.run(parts, t -> rows(frame, image, bound(out, parts, t, ROW_BLOCK), bound(out, parts, t + 1, ROW_BLOCK),
                false));
    }

    private void rows(Frame frame, int image, int from, int to, boolean batch) {
        if (from >= to) {
            return;
        }
        float[] y = output().array(frame);
        int yOff = output().offset(image);
        kernels(batch).matVec(weight, from * in, to - from, in, input.array(frame), input.offset(image), y, yOff + from);
        epilogue.storeLinear(frame, image, from, to - from, y, yOff);
    }

    @Override
    long macs(boolean batch) {
        return (long) out * in;
    }

    @Override
    long weightBytes() {
        return ((long) out * in + out) * Float.BYTES;
    }
}
