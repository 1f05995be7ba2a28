package io.penni.inference.cpu.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A PENNI-decomposed convolution as PENNI runs it: each input channel convolved with the d basis kernels
 * (C·d maps, a small matrix product of the basis with the staged channel), then a 1×1 convolution of the
 * maps with the coefficient matrix {@code [N, C·d]}, batch norm folded into coefficients and bias. The 1×1
 * part runs either sparse (each output channel's non-zero coefficients in compressed-row form) or dense
 * (a matrix product over every coefficient), whichever measured faster on this layer's shape and density. In
 * a batch, a few images run together: their maps side by side, so every row the kernels walk is longer.
 */
final class DecomposedStep extends KernelStep {

    private static final String SPARSE = "sparse";
    private static final String DENSE = "dense";

    private final Value input;
    private final ConvGeometry geometry;
    private final float[] basis;
    private final int bases;
    private final int outChannels;
    private final int[] tapsOne;
    private final int[] tapsGroup;
    private float[] coefficients;
    private int[] rowStart;
    private float[] values;
    private int[] mapIndex;
    private final Epilogue epilogue;
    private boolean sparse = true;

    /**
     * @param coefficients folded coefficients {@code [N, C·d]}
     */
    DecomposedStep(String layer, String kind, Value input, Value output, ConvGeometry geometry, float[] basis,
            int bases, int outChannels, float[] coefficients, Epilogue epilogue, Map<String, Kernels> kernels) {
        super(layer, kind, output, kernels, groupFor(geometry, bases));
        this.input = input;
        this.geometry = geometry;
        this.basis = basis;
        this.bases = bases;
        this.outChannels = outChannels;
        this.coefficients = coefficients;
        this.epilogue = epilogue;
        this.tapsOne = geometry.tapRows(1);
        this.tapsGroup = geometry.tapRows(group());
        int maps = maps();
        this.rowStart = new int[outChannels + 1];
        int nonZero = 0;
        for (float c : coefficients) {
            if (c != 0f) {
                nonZero++;
            }
        }
        this.values = new float[nonZero];
        this.mapIndex = new int[nonZero];
        int e = 0;
        for (int n = 0; n < outChannels; n++) {
            rowStart[n] = e;
            for (int m = 0; m < maps; m++) {
                float c = coefficients[n * maps + m];
                if (c != 0f) {
                    values[e] = c;
                    mapIndex[e] = m;
                    e++;
                }
            }
        }
        rowStart[outChannels] = e;
    }

    /** The maps of a group are what a thread holds: C·d of them, each as long as the group's outputs. */
    private static int groupFor(ConvGeometry geometry, int bases) {
        int mapsPerImage = geometry.channels() * bases * geometry.length(1);
        return Math.max(1, Math.min(16, GROUP_BUDGET / Math.max(1, mapsPerImage)));
    }

    private int maps() {
        return geometry.channels() * bases;
    }

    @Override
    void runGroup(Frame frame, int from, int count, Scratch s) {
        basisMaps(frame, from, count, 0, geometry.channels(), s.stage, s);
        outputs(frame, from, count, 0, outChannels, s.stage, s);
    }

    @Override
    boolean splittable() {
        return true;
    }

    @Override
    void runSplit(Frame frame, int image, WorkerPool pool, Scratch[] s) {
        float[] maps = s[0].stage;
        int parts = pool.threads();
        int channels = geometry.channels();
        pool.run(parts, t -> basisMaps(frame, image, 1, bound(channels, parts, t, 1), bound(channels, parts, t + 1, 1),
                maps, s[t]));
        pool.run(parts, t -> outputs(frame, image, 1, bound(outChannels, parts, t, ROW_BLOCK),
                bound(outChannels, parts, t + 1, ROW_BLOCK), maps, s[t]));
    }

    /** The d maps of input channels [from, to) of {@code count} images: stage the channel, multiply by the basis. */
    private void basisMaps(Frame frame, int image, int count, int from, int to, float[] maps, Scratch s) {
        float[] in = input.array(frame);
        int len = geometry.length(count);
        int[] taps = count == 1 ? tapsOne : count == group() ? tapsGroup : geometry.tapRows(count);
        for (int c = from; c < to; c++) {
            for (int g = 0; g < count; g++) {
                geometry.stage(in, input.offset(image + g), c, s.plane, 0, g, count);
            }
            kernels().gemm(basis, 0, geometry.taps(), bases, geometry.taps(), s.plane, taps, 0, maps, c * bases * len,
                    len, len);
        }
    }

    /** Output channels [from, to) of {@code count} images from their maps. */
    private void outputs(Frame frame, int image, int count, int from, int to, float[] maps, Scratch s) {
        int len = geometry.length(count);
        float[] out = output().array(frame);
        if (sparse) {
            for (int n = from; n < to; n++) {
                kernels().sparseRow(values, mapIndex, rowStart[n], rowStart[n + 1], maps, len, s.acc, 0, len);
                store(frame, image, count, n, 1, len, out, s.acc);
            }
            return;
        }
        int depth = maps();
        int[] rows = new int[depth];
        for (int m = 0; m < depth; m++) {
            rows[m] = m * len;
        }
        for (int n = from; n < to;) {
            int block = Math.min(ROW_BLOCK, to - n);
            kernels().gemm(coefficients, n * depth, depth, block, depth, maps, rows, 0, s.acc, 0, len, len);
            store(frame, image, count, n, block, len, out, s.acc);
            n += block;
        }
    }

    private void store(Frame frame, int image, int count, int n, int block, int len, float[] out, float[] acc) {
        for (int g = 0; g < count; g++) {
            int outOff = output().offset(image + g);
            for (int i = 0; i < block; i++) {
                epilogue.store(frame, image + g, n + i, acc, i * len + g * geometry.imageStride(),
                        geometry.rowStride(), geometry.outHeight(), geometry.outWidth(), out, outOff);
            }
        }
    }

    @Override
    long macs() {
        long pixels = (long) geometry.outHeight() * geometry.outWidth();
        long oneByOne = sparse ? rowStart[outChannels] : (long) outChannels * maps();
        return (maps() * (long) geometry.taps() + oneByOne) * pixels;
    }

    @Override
    long weightBytes() {
        long bytes = (long) (basis.length + outChannels) * Float.BYTES;
        return bytes + (sparse ? (long) rowStart[outChannels] * (Float.BYTES + Integer.BYTES)
                + (long) rowStart.length * Integer.BYTES : (long) outChannels * maps() * Float.BYTES);
    }

    @Override
    int stageFloats(int images) {
        return maps() * geometry.length(images);
    }

    @Override
    int planeFloats(int images) {
        return geometry.stageFloats(1, images);
    }

    @Override
    int accFloats(int images) {
        return ROW_BLOCK * geometry.length(images);
    }

    @Override
    List<String> candidates() {
        List<String> names = new ArrayList<>();
        for (String k : kernelSets().keySet()) {
            names.add(SPARSE + "-" + k);
            names.add(DENSE + "-" + k);
        }
        return names;
    }

    @Override
    void choose(String candidate) {
        sparse = candidate.startsWith(SPARSE + "-");
        kernels(candidate.substring(candidate.indexOf('-') + 1));
    }

    @Override
    void release() {
        // keep only the form the chosen path reads, so memory figures are what the model really holds
        if (sparse) {
            coefficients = null;
        } else {
            values = null;
            mapIndex = null;
        }
    }

    @Override
    String chosen() {
        return (sparse ? SPARSE : DENSE) + "-" + kernels().name();
    }
}
