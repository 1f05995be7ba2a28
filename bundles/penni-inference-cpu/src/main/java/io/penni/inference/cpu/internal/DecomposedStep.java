package io.penni.inference.cpu.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.penni.model.ModelException;

/**
 * A PENNI-decomposed convolution as PENNI runs it: each input channel convolved with the d basis kernels
 * (C·d maps), then a 1×1 convolution of the maps with the coefficient matrix {@code [N, C·d]}, batch norm folded
 * into coefficients and bias. The 1×1 part runs either sparse (each output channel's non-zero coefficients in
 * compressed-row form) or dense (a matrix product over every coefficient), whichever measured faster on this
 * layer's shape and density.
 *
 * <p>The maps are never held for a whole large image: the output is computed in bands of rows whose maps fit a
 * budget ({@link #ONE_BUDGET} for one image at a time, {@link Step#GROUP_BUDGET} in a batch), each band's maps
 * made and consumed while they are in cache. In a batch every (channel, image) of a band is staged side by side,
 * so all its C·d maps come from one matrix product of the d × k² basis with the staged rows, and a small image
 * fits whole, a few images running together; image by image, where memory counts more than speed, the maps are
 * made channel by channel, no wider than the band. At batch 1 a split step gives each thread its own rows. A
 * fused pooling window is applied as the rows are stored; bands hold whole windows, and rows no window covers
 * are not computed.
 */
final class DecomposedStep extends KernelStep {

    /** Floats of maps and staged input a thread holds at once when it runs one image at a time (256 KB, in L2). */
    static final int ONE_BUDGET = 64 * 1024;

    private static final String SPARSE = "sparse";
    private static final String DENSE = "dense";

    private final Value input;
    private final ConvGeometry geometry;
    private final float[] basis;
    private final int bases;
    private final int outChannels;
    /** Output rows computed: all of them, or those a fused pooling's windows cover. */
    private final int needed;
    /** Rows per band, multiples of {@link #align}: one image at a time, and in a batch when images run alone. */
    private final int rowsOne;
    private final int rowsGroup;
    private final int align;
    private final int[] tapsOne;
    private float[] coefficients;
    private int[] rowStart;
    private float[] values;
    private int[] mapOf;
    private final Epilogue epilogue;
    /** Whether the 1×1 part runs sparse image by image, and in a batch. */
    private boolean sparseOne = true;
    private boolean sparseBatch = true;
    /** Whether the choices are final ({@link #release} called): scratch is then sized for them alone. */
    private boolean decided;

    /**
     * @param coefficients folded coefficients {@code [N, C·d]}
     */
    DecomposedStep(String layer, String kind, Value input, Value output, ConvGeometry geometry, float[] basis,
            int bases, int outChannels, float[] coefficients, Epilogue epilogue, Map<String, Kernels> kernels) {
        super(layer, kind, output, kernels, groupFor(geometry, bases, epilogue.neededRows(geometry.outHeight())));
        if (bases > Kernels.MAX_BASES) {
            throw new ModelException("layer " + layer + ": " + bases
                    + " bases, the CPU engine runs at most " + Kernels.MAX_BASES);
        }
        this.input = input;
        this.geometry = geometry;
        this.basis = basis;
        this.bases = bases;
        this.outChannels = outChannels;
        this.coefficients = coefficients;
        this.epilogue = epilogue;
        this.needed = epilogue.neededRows(geometry.outHeight());
        this.align = epilogue.pool() == 0 ? 1 : epilogue.pool();
        this.rowsOne = bandRows(ONE_BUDGET, false);
        this.rowsGroup = bandRows(GROUP_BUDGET, true);
        this.tapsOne = geometry.bandTapRows(1, rowsOne);
        int maps = maps();
        this.rowStart = new int[outChannels + 1];
        int nonZero = 0;
        for (float c : coefficients) {
            if (c != 0f) {
                nonZero++;
            }
        }
        this.values = new float[nonZero];
        this.mapOf = new int[nonZero];
        int e = 0;
        for (int n = 0; n < outChannels; n++) {
            rowStart[n] = e;
            for (int m = 0; m < maps; m++) {
                float c = coefficients[n * maps + m];
                if (c != 0f) {
                    values[e] = c;
                    mapOf[e] = Kernels.map(m / bases, m % bases);
                    e++;
                }
            }
        }
        rowStart[outChannels] = e;
    }

    /*
     * A band's scratch: its maps in Scratch.stage, its staged input in Scratch.plane. Side by side (a batch) the
     * band holds every (channel, image) of {@code images} images at once; channel by channel (image by image) one
     * image's maps and a single staged channel.
     */

    private static long mapFloats(ConvGeometry geometry, int bases, boolean sideBySide, int images, int rows) {
        return sideBySide ? (long) bases * geometry.bandLength(geometry.channels() * images, rows)
                : (long) geometry.channels() * bases * geometry.bandLength(1, rows);
    }

    private static int planeFloats(ConvGeometry geometry, boolean sideBySide, int images, int rows) {
        return geometry.bandStageFloats(sideBySide ? geometry.channels() * images : 1, rows);
    }

    private static long bandFloats(ConvGeometry geometry, int bases, boolean sideBySide, int images, int rows) {
        return mapFloats(geometry, bases, sideBySide, images, rows) + planeFloats(geometry, sideBySide, images, rows);
    }

    /** Images run together in a batch: as many whole images' bands as fit the budget, or one (in bands). */
    private static int groupFor(ConvGeometry geometry, int bases, int needed) {
        long perImage = bandFloats(geometry, bases, true, 1, needed);
        return (int) Math.max(1, Math.min(MAX_GROUP, GROUP_BUDGET / perImage));
    }

    /**
     * The most rows, a multiple of the pooling window, whose band fits the budget; at least one window.
     *
     * @param sideBySide whether the band is made with every channel side by side (else channel by channel)
     */
    private int bandRows(int budget, boolean sideBySide) {
        int rows = needed / align * align;
        while (rows > align && bandFloats(geometry, bases, sideBySide, 1, rows) > budget) {
            rows -= align;
        }
        return Math.min(needed, Math.max(align, rows));
    }

    private int maps() {
        return geometry.channels() * bases;
    }

    @Override
    void compute(Frame frame, int from, int count, Scratch s, boolean batch) {
        if (count > 1) {
            band(frame, from, count, 0, needed, s, true);
        } else {
            bands(frame, from, 0, needed, batch ? rowsGroup : rowsOne, s, batch);
        }
    }

    /** Rows [from, to) of one image, band by band. */
    private void bands(Frame frame, int image, int from, int to, int rows, Scratch s, boolean batch) {
        for (int y = from; y < to; y += rows) {
            band(frame, image, 1, y, Math.min(rows, to - y), s, batch);
        }
    }

    @Override
    boolean splittable() {
        return needed >= 2 * align;
    }

    @Override
    void runSplit(Frame frame, int image, WorkerPool pool, Scratch[] s) {
        int parts = pool.threads();
        pool.run(parts, t -> bands(frame, image, bound(needed, parts, t, align), bound(needed, parts, t + 1, align),
                rowsOne, s[t], false));
    }

    /**
     * Output rows [y0, y0 + rows) of {@code count} images: their maps, then every output channel. In a batch every
     * (channel, image) is staged side by side and all maps come from one product with the basis, maps of basis j
     * from {@code j · all}; image by image, where memory matters more than speed, the maps are made channel by
     * channel, each channel's d maps one after another and no wider than the band.
     */
    private void band(Frame frame, int image, int count, int y0, int rows, Scratch s, boolean batch) {
        Kernels kernels = kernels(batch);
        float[] in = input.array(frame);
        int channels = geometry.channels();
        float[] maps = s.stage;
        int len = geometry.bandLength(count, rows);
        int channelStride;
        int basisStride;
        if (batch) {
            int units = channels * count;
            for (int c = 0; c < channels; c++) {
                for (int g = 0; g < count; g++) {
                    geometry.stageBand(in, input.offset(image + g), c, s.plane, 0, c * count + g, units, y0, rows);
                }
            }
            int all = geometry.bandLength(units, rows);
            kernels.gemm(basis, 0, geometry.taps(), bases, geometry.taps(), s.plane, geometry.bandTapRows(units, rows),
                    0, maps, 0, all, all);
            channelStride = count * geometry.bandImageStride(rows);
            basisStride = all;
        } else {
            int[] taps = rows == rowsOne ? tapsOne : geometry.bandTapRows(1, rows);
            for (int c = 0; c < channels; c++) {
                geometry.stageBand(in, input.offset(image), c, s.plane, 0, 0, 1, y0, rows);
                kernels.gemm(basis, 0, geometry.taps(), bases, geometry.taps(), s.plane, taps, 0, maps, c * bases * len,
                        len, len);
            }
            channelStride = bases * len;
            basisStride = len;
        }
        float[] out = output().array(frame);
        if (batch ? sparseBatch : sparseOne) {
            for (int n = 0; n < outChannels; n++) {
                kernels.sparseRow(values, mapOf, rowStart[n], rowStart[n + 1], maps, channelStride, basisStride, s.acc,
                        0, len, epilogue.bias()[n], epilogue.reluBeforeStore());
                store(kernels, frame, image, count, n, 1, len, y0, rows, out, s.acc, true);
            }
            return;
        }
        int depth = maps();
        int[] mapRows = new int[depth];
        for (int m = 0; m < depth; m++) {
            mapRows[m] = (m / bases) * channelStride + (m % bases) * basisStride;
        }
        for (int n = 0; n < outChannels;) {
            int block = Math.min(ROW_BLOCK, outChannels - n);
            kernels.gemm(coefficients, n * depth, depth, block, depth, maps, mapRows, 0, s.acc, 0, len, len);
            store(kernels, frame, image, count, n, block, len, y0, rows, out, s.acc, false);
            n += block;
        }
    }

    /** Stores a block of computed output channels; {@code biased}: the kernel added the bias (and the ReLU). */
    private void store(Kernels kernels, Frame frame, int image, int count, int n, int block, int len, int y0, int rows,
            float[] out, float[] acc, boolean biased) {
        int stride = geometry.bandImageStride(rows);
        for (int g = 0; g < count; g++) {
            int outOff = output().offset(image + g);
            for (int i = 0; i < block; i++) {
                if (biased) {
                    epilogue.storeBiased(kernels, frame, image + g, n + i, acc, i * len + g * stride,
                            geometry.rowStride(), y0, rows, geometry.outHeight(), geometry.outWidth(), out, outOff);
                } else {
                    epilogue.store(kernels, frame, image + g, n + i, acc, i * len + g * stride, geometry.rowStride(),
                            y0, rows, geometry.outHeight(), geometry.outWidth(), out, outOff);
                }
            }
        }
    }

    @Override
    long macs(boolean batch) {
        long pixels = (long) needed * geometry.outWidth();
        long oneByOne = (batch ? sparseBatch : sparseOne) ? rowStart[outChannels] : (long) outChannels * maps();
        return (maps() * (long) geometry.taps() + oneByOne) * pixels;
    }

    @Override
    long weightBytes() {
        long bytes = (long) (basis.length + outChannels) * Float.BYTES;
        if (values != null) {
            bytes += (long) rowStart[outChannels] * (Float.BYTES + Integer.BYTES) + (long) rowStart.length * Integer.BYTES;
        }
        if (coefficients != null) {
            bytes += (long) outChannels * maps() * Float.BYTES;
        }
        return bytes;
    }

    /** Images and rows of the largest band: a batch's group of whole images or band, else one image's band. */
    private int[] largest(boolean grouped) {
        return !grouped ? new int[] {1, rowsOne} : group() > 1 ? new int[] {group(), needed} : new int[] {1, rowsGroup};
    }

    @Override
    int stageFloats(boolean grouped) {
        int[] band = largest(grouped);
        return (int) mapFloats(geometry, bases, grouped, band[0], band[1]);
    }

    @Override
    int splitStageFloats() {
        // until the choices are final, any step may be timed split
        return split() || !decided ? stageFloats(false) : 0;
    }

    @Override
    int planeFloats(boolean grouped) {
        int[] band = largest(grouped);
        return planeFloats(geometry, grouped, band[0], band[1]);
    }

    @Override
    int accFloats(boolean grouped) {
        int[] band = largest(grouped);
        // the sparse path fills one row at a time, the dense one a block of rows
        boolean sparse = decided && (grouped ? sparseBatch : sparseOne);
        return (sparse ? 1 : ROW_BLOCK) * geometry.bandLength(band[0], band[1]);
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
    void choose(String candidate, boolean batch) {
        boolean sparse = candidate.startsWith(SPARSE + "-");
        if (batch) {
            sparseBatch = sparse;
        } else {
            sparseOne = sparse;
        }
        kernels(candidate.substring(candidate.indexOf('-') + 1), batch);
    }

    /**
     * Coefficient matrices at most this dense run sparse when chosen by rule: a sparse row loads a map vector for
     * each multiply-add, where the dense product's register block feeds four with each load, but skips every zero.
     */
    static final double SPARSE_DENSITY = 0.5;

    @Override
    void decide(java.util.function.Predicate<String> allowed) {
        String kernel = kernelSets().keySet().iterator().next();
        double density = rowStart[outChannels] / ((double) outChannels * maps());
        String preferred = (density <= SPARSE_DENSITY ? SPARSE : DENSE) + "-" + kernel;
        String other = (density <= SPARSE_DENSITY ? DENSE : SPARSE) + "-" + kernel;
        String chosen = allowed.test(preferred) ? preferred : other;
        choose(chosen, false);
        choose(chosen, true);
    }

    @Override
    void release() {
        // keep only the forms the chosen paths read, so memory figures are what the model really holds
        decided = true;
        if (sparseOne && sparseBatch) {
            coefficients = null;
        }
        if (!sparseOne && !sparseBatch) {
            values = null;
            mapOf = null;
        }
    }

    @Override
    String chosen(boolean batch) {
        return ((batch ? sparseBatch : sparseOne) ? SPARSE : DENSE) + "-" + kernels(batch).name();
    }
}
