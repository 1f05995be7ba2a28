package io.penni.inference.cpu.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A PENNI-decomposed convolution as PENNI runs it: each input channel convolved with the d basis kernels
 * (C·d maps, a small matrix product of the basis with the staged channel), then a 1×1 convolution of the
 * maps with the coefficient matrix {@code [N, C·d]}, batch norm folded into coefficients and bias. The 1×1
 * part runs either sparse (each output channel's non-zero coefficients in compressed-row form) or dense
 * (a matrix product over every coefficient), whichever measured faster on this layer's shape and density.
 */
final class DecomposedStep extends Step {

    private static final String SPARSE = "sparse";
    private static final String DENSE = "dense";

    private final Value input;
    private final ConvGeometry geometry;
    private final float[] basis;
    private final int bases;
    private final int outChannels;
    private float[] coefficients;
    private int[] rowStart;
    private float[] values;
    private int[] mapRows;
    private final int[] allMaps;
    private final int[] tapRows;
    private final Epilogue epilogue;
    private final Map<String, Kernels> kernels;
    private Kernels chosen;
    private boolean sparse = true;

    /**
     * @param coefficients folded coefficients {@code [N, C·d]}
     */
    DecomposedStep(String layer, String kind, Value input, Value output, ConvGeometry geometry, float[] basis,
            int bases, int outChannels, float[] coefficients, Epilogue epilogue, Map<String, Kernels> kernels) {
        super(layer, kind, output);
        this.input = input;
        this.geometry = geometry;
        this.basis = basis;
        this.bases = bases;
        this.outChannels = outChannels;
        this.coefficients = coefficients;
        this.epilogue = epilogue;
        this.kernels = kernels;
        this.chosen = kernels.values().iterator().next();
        int maps = geometry.channels() * bases;
        int len = geometry.length();
        this.rowStart = new int[outChannels + 1];
        int nonZero = 0;
        for (float c : coefficients) {
            if (c != 0f) {
                nonZero++;
            }
        }
        this.values = new float[nonZero];
        this.mapRows = new int[nonZero];
        int e = 0;
        for (int n = 0; n < outChannels; n++) {
            rowStart[n] = e;
            for (int m = 0; m < maps; m++) {
                float c = coefficients[n * maps + m];
                if (c != 0f) {
                    values[e] = c;
                    mapRows[e] = m * len;
                    e++;
                }
            }
        }
        rowStart[outChannels] = e;
        this.allMaps = new int[maps];
        for (int m = 0; m < maps; m++) {
            allMaps[m] = m * len;
        }
        this.tapRows = new int[geometry.taps()];
        for (int t = 0; t < tapRows.length; t++) {
            tapRows[t] = geometry.tapRow(t);
        }
    }

    private int maps() {
        return geometry.channels() * bases;
    }


    @Override
    void run(Frame frame, int image, Scratch s) {
        float[] in = input.array(frame);
        int inOff = input.offset(image);
        basisMaps(in, inOff, 0, geometry.channels(), s.stage, s);
        outputs(frame, image, 0, outChannels, s.stage, s);
    }

    @Override
    boolean splittable() {
        return true;
    }

    @Override
    void runSplit(Frame frame, int image, WorkerPool pool, Scratch[] s) {
        float[] in = input.array(frame);
        int inOff = input.offset(image);
        float[] maps = s[0].stage;
        int parts = pool.threads();
        int channels = geometry.channels();
        pool.run(parts, t -> basisMaps(in, inOff, bound(channels, parts, t, 1), bound(channels, parts, t + 1, 1),
                maps, s[t]));
        pool.run(parts, t -> outputs(frame, image, bound(outChannels, parts, t, ROW_BLOCK),
                bound(outChannels, parts, t + 1, ROW_BLOCK), maps, s[t]));
    }

    /** The d maps of input channels [from, to): stage the channel, multiply by the basis. */
    private void basisMaps(float[] in, int inOff, int from, int to, float[] maps, Scratch s) {
        int len = geometry.length();
        for (int c = from; c < to; c++) {
            geometry.stage(in, inOff, c, s.plane, 0);
            chosen.gemm(basis, 0, geometry.taps(), bases, geometry.taps(), s.plane, tapRows, 0, maps,
                    c * bases * len, len, len);
        }
    }

    /** Output channels [from, to) from the maps. */
    private void outputs(Frame frame, int image, int from, int to, float[] maps, Scratch s) {
        int len = geometry.length();
        float[] out = output().array(frame);
        int outOff = output().offset(image);
        if (sparse) {
            for (int n = from; n < to; n++) {
                chosen.sparseRow(values, mapRows, rowStart[n], rowStart[n + 1], maps, s.acc, 0, len);
                epilogue.store(frame, image, n, s.acc, 0, geometry.rowStride(), geometry.outHeight(),
                        geometry.outWidth(), out, outOff);
            }
            return;
        }
        int depth = maps();
        for (int n = from; n < to;) {
            int block = Math.min(ROW_BLOCK, to - n);
            chosen.gemm(coefficients, n * depth, depth, block, depth, maps, allMaps, 0, s.acc, 0, len, len);
            for (int i = 0; i < block; i++) {
                epilogue.store(frame, image, n + i, s.acc, i * len, geometry.rowStride(), geometry.outHeight(),
                        geometry.outWidth(), out, outOff);
            }
            n += block;
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
    int stageFloats() {
        return maps() * geometry.length();
    }

    @Override
    int planeFloats() {
        return geometry.stageFloats(1);
    }

    @Override
    int accFloats() {
        return ROW_BLOCK * geometry.length();
    }

    @Override
    List<String> candidates() {
        List<String> names = new ArrayList<>();
        for (String k : kernels.keySet()) {
            names.add(SPARSE + "-" + k);
            names.add(DENSE + "-" + k);
        }
        return names;
    }

    @Override
    void choose(String candidate) {
        sparse = candidate.startsWith(SPARSE + "-");
        chosen = kernels.get(candidate.substring(candidate.indexOf('-') + 1));
    }

    @Override
    String chosen() {
        return (sparse ? SPARSE : DENSE) + "-" + chosen.name();
    }

    @Override
    void release() {
        // keep only the form the chosen path reads, so memory figures are what the model really holds
        if (sparse) {
            coefficients = null;
        } else {
            values = null;
            mapRows = null;
        }
    }
}
