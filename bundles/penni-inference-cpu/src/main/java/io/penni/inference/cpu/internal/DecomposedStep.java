package io.penni.inference.cpu.internal;

import java.util.ArrayList;
import java.util.Arrays;
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
 * made and consumed while they are in cache. The maps are made channel by channel: the channel of the band's
 * images staged side by side (a small image fits whole, a few images running together in a batch), its d maps
 * one product of the d × k² basis with the staged rows. The sparse path makes only the maps some non-zero
 * coefficient reads (a pruned layer leaves many unread). At batch 1 a split step gives each thread its own rows,
 * or on maps of few rows (7 × 7) its share of the input channels' maps and then of the output channels.
 * A fused pooling window is applied as the rows are stored; bands hold whole windows, and rows no window covers
 * are not computed.
 *
 * <p>On small maps the staged rows' padding (a column per row, a row per image) is a large part of each row, and
 * every non-zero coefficient loads it too. There the compact form makes each channel's maps as above, then
 * gathers out only their positions, image after image, and runs the sparse rows over those: a 4 × 4 map is one vector
 * where its staged rows are 20 values, four images' 2 × 2 maps one vector where theirs are 33. At batch 1 its
 * threads make their share of the input channels' maps into one buffer, then each computes a share of the output
 * channels.
 */
final class DecomposedStep extends KernelStep {

    /** Floats of maps and staged input a thread holds at once when it runs one image at a time (256 KB, in L2). */
    static final int ONE_BUDGET = 64 * 1024;

    private static final String SPARSE = "sparse";
    private static final String DENSE = "dense";
    private static final String FUSED = "fused";
    private static final String COMPACT = "compact";

    /**
     * Positions per image at most for which the compact form is a candidate: maps of up to 8 × 8 values, whose
     * staged rows carry a padding column per row and a padding row per image (a 2 × 2 map: 9 values computed for 4
     * outputs), so that each non-zero coefficient loads vectors partly of padding.
     */
    static final int COMPACT_MAX_POSITIONS = 64;

    /**
     * Positions per image at most for which the rule runs the compact form in a batch (four images together) and
     * sizes the batch's groups for it. With 7 × 7 and 8 × 8 maps in it too, batches of vgg-small and resnet-small
     * took 1.07-1.22x as long (in-process A/B beside a training job, with and without the gather), the CIFAR
     * stand-ins about the same; image by image vgg16-cifar's 8 × 8 layers took 0.83-0.90x.
     */
    static final int COMPACT_BATCH_MAX_POSITIONS = 16;

    /**
     * Floats of maps a compact group of images may take: 1 MB, half of this machine's per-core L2, so that a
     * thread's pass of four images runs together on VGG-16's 512-channel 4 × 4 layers.
     */
    static final int COMPACT_BUDGET = 256 * 1024;

    /**
     * Floats of a fused tile's maps for which it is two units wide (96 KB: L1 and the nearest part of L2), else
     * one unit.
     */
    static final int TILE_BUDGET = 24 * 1024;

    private final Value input;
    private final ConvGeometry geometry;
    private final int bases;
    private final int outChannels;
    /** Output rows computed: all of them, or those a fused pooling's windows cover. */
    private final int needed;
    /** Rows per band, multiples of {@link #align}: one image at a time, and in a batch when images run alone. */
    private final int rowsOne;
    private final int rowsGroup;
    private final int align;
    /**
     * Per input channel, the bases some non-zero coefficient reads ({@code usedBases[c]} of them, from {@code
     * sparseBasis[basisStart[c]]}, rows of k² taps): maps no coefficient reads are not made, on any path.
     */
    private final float[] sparseBasis;
    private final int[] basisStart;
    private final int[] usedBases;
    private float[] coefficients;
    private int[] rowStart;
    private float[] values;
    private int[] mapOf;
    /** Values per tile of the fused path, and where each non-zero coefficient's map starts in a tile's maps. */
    private final int tile;
    private int[] tileOffsets;
    private final Epilogue epilogue;
    /** Whether the 1×1 part runs sparse image by image, and in a batch. */
    private boolean sparseOne = true;
    private boolean sparseBatch = true;
    /** Whether the sparse 1×1 part runs fused with the basis maps, tile by tile, image by image and in a batch. */
    private boolean fusedOne;
    private boolean fusedBatch;
    /** Whether the compact form can run this layer (small maps), and whether it does image by image, in a batch. */
    private final boolean compactPossible;
    /**
     * For the compact form of {@code count} images, where each of their positions lies in the maps as made with
     * padding (index {@code count}; null where the form cannot run).
     */
    private final int[][] compactSources;
    private boolean compactOne;
    private boolean compactBatch;
    /** Whether the choices are final ({@link #release} called): scratch is then sized for them alone. */
    private boolean decided;

    /**
     * @param coefficients folded coefficients {@code [N, C·d]}
     */
    DecomposedStep(String layer, String kind, Value input, Value output, ConvGeometry geometry, float[] basis,
            int bases, int outChannels, float[] coefficients, Epilogue epilogue, Map<String, Kernels> kernels) {
        super(layer, kind, output, kernels, groupFor(geometry, bases, epilogue.neededRows(geometry.outHeight())));
        if (geometry.taps() > Scratch.MAX_TAPS) {
            throw new ModelException("layer " + layer + ": a " + geometry.kernel() + "x" + geometry.kernel()
                    + " kernel, the CPU engine decomposes kernels of at most " + Scratch.MAX_TAPS + " taps");
        }
        if (bases > Kernels.MAX_BASES) {
            throw new ModelException("layer " + layer + ": " + bases
                    + " bases, the CPU engine runs at most " + Kernels.MAX_BASES);
        }
        this.input = input;
        this.geometry = geometry;
        this.compactPossible = compactPossible(geometry);
        this.compactSources = compactPossible ? compactSources(geometry) : null;
        this.bases = bases;
        this.outChannels = outChannels;
        this.epilogue = epilogue;
        this.needed = epilogue.neededRows(geometry.outHeight());
        this.align = epilogue.pool() == 0 ? 1 : epilogue.pool();
        this.rowsOne = bandRows(ONE_BUDGET);
        this.rowsGroup = bandRows(GROUP_BUDGET);
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
        // which maps some coefficient reads, and each one's place among its channel's used maps
        int channels = geometry.channels();
        int taps = geometry.taps();
        int[] slot = new int[maps];
        Arrays.fill(slot, -1);
        for (int n = 0; n < outChannels; n++) {
            for (int m = 0; m < maps; m++) {
                if (coefficients[n * maps + m] != 0f) {
                    slot[m] = 0;
                }
            }
        }
        if (nonZero == 0 && maps > 0) {
            slot[0] = 0; // one map, read by nothing, so that every path has a map to read: the output is the bias
        }
        this.usedBases = new int[channels];
        this.basisStart = new int[channels + 1];
        int used = 0;
        for (int c = 0; c < channels; c++) {
            basisStart[c] = used * taps;
            for (int j = 0; j < bases; j++) {
                if (slot[c * bases + j] == 0) {
                    slot[c * bases + j] = usedBases[c]++;
                    used++;
                }
            }
        }
        basisStart[channels] = used * taps;
        this.sparseBasis = new float[used * taps];
        this.tile = tileFor(used);
        this.tileOffsets = new int[nonZero];
        for (int c = 0; c < channels; c++) {
            for (int j = 0; j < bases; j++) {
                if (slot[c * bases + j] >= 0) {
                    System.arraycopy(basis, j * taps, sparseBasis, basisStart[c] + slot[c * bases + j] * taps, taps);
                }
            }
        }
        int e = 0;
        for (int n = 0; n < outChannels; n++) {
            rowStart[n] = e;
            for (int m = 0; m < maps; m++) {
                float c = coefficients[n * maps + m];
                if (c != 0f) {
                    values[e] = c;
                    mapOf[e] = Kernels.map(m / bases, slot[m]);
                    tileOffsets[e] = (basisStart[m / bases] / taps + slot[m]) * tile;
                    e++;
                }
            }
        }
        rowStart[outChannels] = e;
        // the dense form: a product over the used maps only (a map no coefficient reads has a zero column), its
        // matrix packed ({@link Kernels#pack})
        float[] compact = new float[outChannels * used];
        for (int n = 0; n < outChannels; n++) {
            for (int m = 0; m < maps; m++) {
                if (slot[m] >= 0) {
                    compact[n * used + basisStart[m / bases] / taps + slot[m]] = coefficients[n * maps + m];
                }
            }
        }
        this.coefficients = Kernels.pack(compact, 0, used, outChannels, used);
    }

    /*
     * A band's scratch: its maps in Scratch.stage (every channel's d maps, each a row across the band's images),
     * one staged input channel of its images in Scratch.plane.
     */

    private static long mapFloats(ConvGeometry geometry, int bases, int images, int rows) {
        return (long) geometry.channels() * bases * geometry.bandLength(images, rows);
    }

    private static int planeFloats(ConvGeometry geometry, int images, int rows) {
        return geometry.bandStageFloats(images, rows);
    }

    private static long bandFloats(ConvGeometry geometry, int bases, int images, int rows) {
        return mapFloats(geometry, bases, images, rows) + planeFloats(geometry, images, rows);
    }

    /**
     * Images run together in a batch: as many whole images' bands as fit the budget, or one (in bands); on small
     * maps as many as their compact maps' budget allows.
     */
    private static int groupFor(ConvGeometry geometry, int bases, int needed) {
        if (geometry.positions() <= COMPACT_BATCH_MAX_POSITIONS) {
            return (int) Math.max(1, Math.min(MAX_GROUP, COMPACT_BUDGET / compactMapFloats(geometry, bases, 1)));
        }
        long perImage = bandFloats(geometry, bases, 1, needed);
        return (int) Math.max(1, Math.min(MAX_GROUP, GROUP_BUDGET / perImage));
    }

    /** For 1 to {@link #MAX_GROUP} images, each position's place in the maps with their padding, image by image. */
    private static int[][] compactSources(ConvGeometry geometry) {
        int outH = geometry.outHeight();
        int outW = geometry.outWidth();
        int[][] sources = new int[MAX_GROUP + 1][];
        for (int count = 1; count <= MAX_GROUP; count++) {
            int[] source = new int[count * geometry.positions()];
            int q = 0;
            for (int g = 0; g < count; g++) {
                for (int y = 0; y < outH; y++) {
                    for (int x = 0; x < outW; x++) {
                        source[q++] = g * geometry.bandImageStride(outH) + y * geometry.rowStride() + x;
                    }
                }
            }
            sources[count] = source;
        }
        return sources;
    }

    private static boolean compactPossible(ConvGeometry geometry) {
        return geometry.positions() <= COMPACT_MAX_POSITIONS;
    }

    /*
     * The compact form's scratch: the maps in Scratch.stage, input channel c's at c · compactChannelStride (its d
     * maps of the group's positions one after the other, then a vector's room; the maps are written by the gather,
     * value for value, so the room is only read past, by rows shorter than a vector, and could go: the groups'
     * sizes depend on it and were measured with it); one channel of the group staged in Scratch.plane as the banded
     * path stages it; in Scratch.acc first one channel's maps as made, with their padding, later one output
     * channel's values, then (for a staged output) one image's rows as the staged form computes them.
     */

    private static int compactChannelStride(ConvGeometry geometry, int bases, int images) {
        return bases * images * geometry.positions() + Scratch.SLACK;
    }

    private static long compactMapFloats(ConvGeometry geometry, int bases, int images) {
        return (long) geometry.channels() * compactChannelStride(geometry, bases, images);
    }

    /** The most rows, a multiple of the pooling window, whose band fits the budget; at least one window. */
    private int bandRows(int budget) {
        int rows = needed / align * align;
        while (rows > align && bandFloats(geometry, bases, 1, rows) > budget) {
            rows -= align;
        }
        return Math.min(needed, Math.max(align, rows));
    }

    private int maps() {
        return geometry.channels() * bases;
    }

    @Override
    void compute(Frame frame, int from, int count, Scratch s, boolean batch) {
        if (batch ? compactBatch : compactOne) {
            Kernels kernels = kernels(batch);
            compactMaps(frame, from, count, 0, geometry.channels(), s.stage, s, kernels);
            compactOutputs(frame, from, count, 0, outChannels, s.stage, s, kernels);
            return;
        }
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

    /**
     * Row blocks (pooling windows, or rows) a step needs before a batch-1 run splits it: on two threads at least
     * two each, so the parts differ by at most a third. A 7 × 7 layer with a fused 2 × 2 pooling has three windows
     * of rows, two for one thread and one for the other: split, vgg-small-l1-kd's pool3 took 54 µs where unsplit it
     * took 32 (two threads, one interleaved A/B on a loaded machine): the wait for the longer part and the wake-up
     * cost more than the shorter part saves.
     */
    static final int SPLIT_BLOCKS = 4;

    @Override
    boolean splittable() {
        return compactOne || splitsByChannels() ? outChannels >= 2 : needed / align >= SPLIT_BLOCKS;
    }

    /** Floats between two channels' maps when a step splits by channels: their maps and a vector's room. */
    private int splitChannelStride() {
        return bases * geometry.bandLength(1, needed) + Kernels.ROW_SLACK;
    }

    /**
     * Whether a batch-1 split divides channels rather than rows: fewer than twice {@link #SPLIT_BLOCKS} row blocks
     * (a 7 × 7 map under a 2 × 2 pooling has three, which did not split at all; without pooling seven, which split
     * four and three), on the sparse banded path with the image in one band. The threads then make their share of
     * the input channels' maps into one buffer, and each computes a share of the output channels from them, as the
     * compact form's split does. Against splitting rows, resnet-small's 7 × 7 layers took batch 1 to 0.73-0.84x
     * its time, vgg-small's one 7 × 7 layer without pooling to 1.01-1.02x (in-process A/B, quiet).
     */
    private boolean splitsByChannels() {
        return needed / align < 2 * SPLIT_BLOCKS && sparseOne && !fusedOne && !compactOne && rowsOne >= needed;
    }

    @Override
    void runSplit(Frame frame, int image, WorkerPool pool, Scratch[] s) {
        int parts = pool.threads();
        Kernels kernels = kernels(false);
        float[] maps = s[0].stage;
        if (compactOne) {
            splitByChannels(pool, (t, c0, c1) -> compactMaps(frame, image, 1, c0, c1, maps, s[t], kernels),
                    (t, n0, n1) -> compactOutputs(frame, image, 1, n0, n1, maps, s[t], kernels));
            return;
        }
        if (splitsByChannels()) {
            // a row shorter than a vector is written as a whole one: each channel's maps get that room, so that
            // no thread's writes reach the next channel's, another thread's
            int channelStride = splitChannelStride();
            splitByChannels(pool,
                    (t, c0, c1) -> bandMaps(frame, image, 1, 0, needed, c0, c1, maps, channelStride, s[t], kernels),
                    (t, n0, n1) -> sparseOutputs(frame, image, 1, 0, needed, n0, n1, maps, channelStride, s[t],
                            kernels));
            return;
        }
        pool.run(parts, t -> bands(frame, image, bound(needed, parts, t, align), bound(needed, parts, t + 1, align),
                rowsOne, s[t], false));
    }

    /** One thread's share of a split step's channels: {@code [from, to)}. */
    private interface ChannelShare {
        void run(int thread, int from, int to);
    }

    /**
     * The threads make their share of the input channels' maps into thread 0's stage, then (once all are made)
     * each computes its share of the output channels from all of them.
     */
    private void splitByChannels(WorkerPool pool, ChannelShare maps, ChannelShare outputs) {
        int parts = pool.threads();
        int channels = geometry.channels();
        pool.run(parts, t -> maps.run(t, bound(channels, parts, t, 1), bound(channels, parts, t + 1, 1)));
        pool.run(parts, t -> outputs.run(t, bound(outChannels, parts, t, 1), bound(outChannels, parts, t + 1, 1)));
    }

    /**
     * Output rows [y0, y0 + rows) of {@code count} images: their maps, channel by channel (each input channel of
     * the images staged side by side, its d maps one product of the d × k² basis with the staged rows), then every
     * output channel. The sparse path makes only the maps its coefficients read.
     */
    private void band(Frame frame, int image, int count, int y0, int rows, Scratch s, boolean batch) {
        Kernels kernels = kernels(batch);
        if (batch ? fusedBatch : fusedOne) {
            fusedBand(frame, image, count, y0, rows, s, kernels);
            return;
        }
        float[] maps = s.stage;
        int len = geometry.bandLength(count, rows);
        int channelStride = bases * len;
        bandMaps(frame, image, count, y0, rows, 0, geometry.channels(), maps, channelStride, s, kernels);
        if (batch ? sparseBatch : sparseOne) {
            sparseOutputs(frame, image, count, y0, rows, 0, outChannels, maps, channelStride, s, kernels);
            return;
        }
        float[] out = output().array(frame);
        int basisStride = len;
        int depth = usedMaps();
        int[] mapRows = new int[depth];
        for (int c = 0, u = 0; c < geometry.channels(); c++) {
            for (int k = 0; k < usedBases[c]; k++) {
                mapRows[u++] = c * channelStride + k * basisStride;
            }
        }
        for (int n = 0; n < outChannels;) {
            int block = Math.min(ROW_BLOCK, outChannels - n);
            // n is a multiple of ROW_BLOCK, a packed block's rows
            kernels.gemmPacked(coefficients, n * depth, 0, block, depth, maps, mapRows, 0, s.acc, 0, len, len);
            store(kernels, frame, image, count, n, block, len, y0, rows, out, s.acc, false);
            n += block;
        }
    }

    /**
     * The band's maps of input channels {@code [c0, c1)} into {@code maps}: each channel of the images staged side
     * by side (or its staged input read in place), its used maps one product of the basis with the staged rows.
     */
    private void bandMaps(Frame frame, int image, int count, int y0, int rows, int c0, int c1, float[] maps,
            int channelStride, Scratch s, Kernels kernels) {
        float[] in = input.array(frame);
        int len = geometry.bandLength(count, rows);
        int[] taps = geometry.bandTapRows(count, rows, s.taps);
        int k2 = geometry.taps();
        Value.Staged staged = input.staged();
        for (int c = c0; c < c1; c++) {
            int made = usedBases[c];
            if (made == 0) {
                continue;
            }
            if (staged != null && count == 1) {
                // the input is stored staged: its taps read in place
                kernels.gemm(sparseBasis, basisStart[c], k2, made, k2, in, taps, 0,
                        input.offset(image) + c * staged.channelStride() + y0 * staged.rowStride(), maps,
                        c * channelStride, len, len);
                continue;
            }
            for (int g = 0; g < count; g++) {
                geometry.stageBand(kernels, in, input.offset(image + g), staged, c, s.plane, 0, g, count, y0, rows);
            }
            kernels.gemm(sparseBasis, basisStart[c], k2, made, k2, s.plane, taps, 0,
                    maps, c * channelStride, len, len);
        }
    }

    /** The band's output channels {@code [n0, n1)} from its maps: each one's non-zero coefficients, then stored. */
    private void sparseOutputs(Frame frame, int image, int count, int y0, int rows, int n0, int n1, float[] maps,
            int channelStride, Scratch s, Kernels kernels) {
        float[] out = output().array(frame);
        int len = geometry.bandLength(count, rows);
        float[] bias = epilogue.bias();
        boolean relu = epilogue.reluBeforeStore();
        for (int n = n0; n < n1; n++) {
            kernels.sparseRow(values, mapOf, rowStart[n], rowStart[n + 1], maps, channelStride, len, s.acc, 0, len,
                    bias[n], relu);
            store(kernels, frame, image, count, n, 1, len, y0, rows, out, s.acc, true);
        }
    }

    /**
     * The compact form's maps of input channels {@code [c0, c1)} for {@code count} images: each channel's used maps
     * made as the banded path makes them (one product of its bases with the staged rows, or with the staged input
     * in place), into {@code s.acc}, then their positions gathered out without the padding columns and rows.
     */
    private void compactMaps(Frame frame, int image, int count, int c0, int c1, float[] maps, Scratch s,
            Kernels kernels) {
        float[] in = input.array(frame);
        Value.Staged staged = input.staged();
        int outH = geometry.outHeight();
        int len = count * geometry.positions();
        int channelStride = compactChannelStride(geometry, bases, count);
        int padded = geometry.bandLength(count, outH);
        int[] source = compactSources[count];
        int[] taps = geometry.bandTapRows(count, outH, s.taps);
        int k2 = geometry.taps();
        float[] made = s.acc;
        for (int c = c0; c < c1; c++) {
            int used = usedBases[c];
            if (used == 0) {
                continue;
            }
            if (staged != null && count == 1) {
                kernels.gemm(sparseBasis, basisStart[c], k2, used, k2, in, taps, 0,
                        input.offset(image) + c * staged.channelStride(), made, 0, padded, padded);
            } else {
                for (int g = 0; g < count; g++) {
                    geometry.stageBand(kernels, in, input.offset(image + g), staged, c, s.plane, 0, g, count, 0, outH);
                }
                kernels.gemm(sparseBasis, basisStart[c], k2, used, k2, s.plane, taps, 0, made, 0, padded, padded);
            }
            for (int j = 0; j < used; j++) {
                kernels.gather(made, j * padded, source, len, maps, c * channelStride + j * len);
            }
        }
    }

    /**
     * The compact form's output channels {@code [n0, n1)} of {@code count} images from their maps: each channel's
     * non-zero coefficients over the maps, bias and ReLU in registers, then stored image by image: rows of the
     * output's width, or for an output stored staged, first spread into the staged form's rows.
     */
    private void compactOutputs(Frame frame, int image, int count, int n0, int n1, float[] maps, Scratch s,
            Kernels kernels) {
        int positions = geometry.positions();
        int len = count * positions;
        int channelStride = compactChannelStride(geometry, bases, count);
        int outW = geometry.outWidth();
        int outH = geometry.outHeight();
        boolean stagedOut = output().staged() != null;
        int rowStride = geometry.rowStride();
        int spread = len + Scratch.SLACK;
        float[] acc = s.acc;
        float[] out = output().array(frame);
        float[] bias = epilogue.bias();
        boolean relu = epilogue.reluBeforeStore();
        for (int n = n0; n < n1; n++) {
            kernels.sparseRow(values, mapOf, rowStart[n], rowStart[n + 1], maps, channelStride, len, acc, 0, len,
                    bias[n], relu);
            for (int g = 0; g < count; g++) {
                int outOff = output().offset(image + g);
                if (stagedOut) {
                    for (int y = 0; y < outH; y++) {
                        System.arraycopy(acc, g * positions + y * outW, acc, spread + y * rowStride, outW);
                    }
                    epilogue.storeBiased(kernels, frame, image + g, n, acc, spread, rowStride, 0, needed, outH, outW,
                            out, outOff);
                } else {
                    epilogue.storeBiased(kernels, frame, image + g, n, acc, g * positions, outW, 0, needed, outH,
                            outW, out, outOff);
                }
            }
        }
    }

    /**
     * Two units (64 values) where the used maps fit {@link #TILE_BUDGET}, else one. Four units measured slower on
     * the demo's model (1.05-1.08x), a budget of 8 K floats (two units only up to 128 maps) 1.03-1.07x.
     */
    private static int tileFor(int usedMaps) {
        int units = 2;
        while (units > 1 && (long) usedMaps * units * Kernels.TILE_UNIT > TILE_BUDGET) {
            units /= 2;
        }
        return units * Kernels.TILE_UNIT;
    }

    /*
     * The fused path's scratch: every used input channel of the band staged in Scratch.stage (channel c at
     * c · bandStageFloats, then a tile's slack), one tile's used maps in Scratch.plane (map after map, tile values
     * each), the band's output channels in Scratch.acc (one row of the band's length rounded up to tiles each).
     */

    private long fusedStageFloats(int images, int rows) {
        return (long) geometry.channels() * geometry.bandStageFloats(images, rows) + tile;
    }

    private int fusedRow(int images, int rows) {
        int len = geometry.bandLength(images, rows);
        return (len + tile - 1) / tile * tile;
    }

    private int fusedMapFloats() {
        return usedMaps() * tile;
    }

    /** The maps some coefficient reads, the only ones any path makes. */
    private int usedMaps() {
        return sparseBasis.length / geometry.taps();
    }

    /**
     * The band as the paper means it to run: tile by tile along the band's computed rows, the tile's used basis
     * maps of every input channel (small enough to stay in L1), then each output channel's non-zero coefficients
     * over them, bias and ReLU in registers. The C·d maps never exist for more than one tile. Columns past the
     * band's length (the last tile's rest) are computed from whatever follows and never stored.
     */
    private void fusedBand(Frame frame, int image, int count, int y0, int rows, Scratch s, Kernels kernels) {
        float[] in = input.array(frame);
        float[] stage = s.stage;
        float[] maps = s.plane;
        float[] acc = s.acc;
        int channelFloats = geometry.bandStageFloats(count, rows);
        int[] taps = geometry.bandTapRows(count, rows, s.taps);
        int k2 = geometry.taps();
        int channels = geometry.channels();
        Value.Staged staged = input.staged();
        // the input stored staged is read in place: its channels then lie channelStride apart from the band's row
        boolean inPlace = staged != null && count == 1;
        float[] taken = inPlace ? in : stage;
        int first = inPlace ? input.offset(image) + y0 * staged.rowStride() : 0;
        int apart = inPlace ? staged.channelStride() : channelFloats;
        for (int c = 0; c < channels && !inPlace; c++) {
            if (usedBases[c] == 0) {
                continue;
            }
            for (int g = 0; g < count; g++) {
                geometry.stageBand(kernels, in, input.offset(image + g), staged, c, stage, c * channelFloats, g, count,
                        y0, rows);
            }
        }
        int row = fusedRow(count, rows);
        float[] bias = epilogue.bias();
        boolean relu = epilogue.reluBeforeStore();
        for (int j0 = 0; j0 < row; j0 += tile) {
            for (int c = 0; c < channels; c++) {
                int made = usedBases[c];
                if (made != 0) {
                    kernels.gemm(sparseBasis, basisStart[c], k2, made, k2, taken, taps, 0, first + c * apart + j0,
                            maps, basisStart[c] / k2 * tile, tile, tile);
                }
            }
            for (int n = 0; n < outChannels; n++) {
                kernels.sparseTile(values, tileOffsets, rowStart[n], rowStart[n + 1], maps, acc, n * row + j0, tile,
                        bias[n], relu);
            }
        }
        float[] out = output().array(frame);
        int stride = geometry.bandImageStride(rows);
        for (int g = 0; g < count; g++) {
            int outOff = output().offset(image + g);
            for (int n = 0; n < outChannels; n++) {
                epilogue.storeBiased(kernels, frame, image + g, n, acc, n * row + g * stride, geometry.rowStride(), y0,
                        rows, geometry.outHeight(), geometry.outWidth(), out, outOff);
            }
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
        boolean sparse = batch ? sparseBatch : sparseOne;
        long oneByOne = sparse ? rowStart[outChannels] : (long) outChannels * usedMaps();
        long basisMacs = sparseBasis.length;
        return (basisMacs + oneByOne) * pixels;
    }

    @Override
    long weightBytes() {
        long bytes = (long) (sparseBasis.length + outChannels) * Float.BYTES;
        long nonZero = rowStart[outChannels];
        if (values != null) {
            bytes += nonZero * Float.BYTES + (long) rowStart.length * Integer.BYTES;
        }
        if (mapOf != null) {
            bytes += nonZero * Integer.BYTES;
        }
        if (tileOffsets != null) {
            bytes += nonZero * Integer.BYTES;
        }
        if (coefficients != null) {
            bytes += (long) Kernels.packedFloats(outChannels, usedMaps()) * Float.BYTES;
        }
        return bytes;
    }

    /** Images and rows of the largest band: a batch's group of whole images or band, else one image's band. */
    private int[] largest(boolean grouped) {
        return !grouped ? new int[] {1, rowsOne} : group() > 1 ? new int[] {group(), needed} : new int[] {1, rowsGroup};
    }

    /**
     * @return whether the fused path is, or (choices not final) may be, the one that way of running takes: its
     *     scratch must then fit
     */
    private boolean mayFuse(boolean grouped) {
        return !decided || (grouped ? fusedBatch : fusedOne);
    }

    /** @return whether a banded path (neither fused nor compact) is, or may be, taken that way */
    private boolean mayBand(boolean grouped) {
        return !decided || !(grouped ? fusedBatch || compactBatch : fusedOne || compactOne);
    }

    /** @return whether the compact form is, or may be, taken that way */
    private boolean mayCompact(boolean grouped) {
        return compactPossible && (!decided || (grouped ? compactBatch : compactOne));
    }

    /** @return images the compact form runs together that way */
    private int compactImages(boolean grouped) {
        return grouped ? group() : 1;
    }

    @Override
    int stageFloats(boolean grouped) {
        int[] band = largest(grouped);
        long floats = mayBand(grouped) ? mapFloats(geometry, bases, band[0], band[1]) : 0;
        if (mayFuse(grouped)) {
            floats = Math.max(floats, fusedStageFloats(band[0], band[1]));
        }
        if (mayCompact(grouped)) {
            floats = Math.max(floats, compactMapFloats(geometry, bases, compactImages(grouped)));
        }
        if (!grouped && (!decided || splitsByChannels())) {
            // split by channels, thread 0's stage holds the maps with room between channels
            floats = Math.max(floats, (long) geometry.channels() * splitChannelStride());
        }
        return Math.toIntExact(floats);
    }

    @Override
    int splitStageFloats() {
        // until the choices are final, any step may be timed split
        return split() || !decided ? stageFloats(false) : 0;
    }

    @Override
    int planeFloats(boolean grouped) {
        int[] band = largest(grouped);
        int floats = mayBand(grouped) ? planeFloats(geometry, band[0], band[1]) : 0;
        if (mayCompact(grouped)) {
            floats = Math.max(floats, planeFloats(geometry, compactImages(grouped), geometry.outHeight()));
        }
        return mayFuse(grouped) ? Math.max(floats, fusedMapFloats()) : floats;
    }

    @Override
    int accFloats(boolean grouped) {
        int[] band = largest(grouped);
        // the sparse path fills one row at a time, the dense one a block of rows
        boolean sparse = decided && (grouped ? sparseBatch : sparseOne);
        int floats = mayBand(grouped) ? (sparse ? 1 : ROW_BLOCK) * geometry.bandLength(band[0], band[1]) : 0;
        if (mayCompact(grouped)) {
            // one channel's used maps with their padding as made; later one output channel's values, a vector's
            // room and one image's rows spread as the staged form computes them
            int images = compactImages(grouped);
            floats = Math.max(floats, Math.max(bases * geometry.bandLength(images, geometry.outHeight()),
                    images * geometry.positions() + Scratch.SLACK + geometry.bandLength(1, geometry.outHeight())));
        }
        return mayFuse(grouped) ? Math.max(floats, outChannels * fusedRow(band[0], band[1])) : floats;
    }

    @Override
    List<String> candidates() {
        List<String> names = new ArrayList<>();
        for (String k : kernelSets().keySet()) {
            if (compactPossible) {
                names.add(COMPACT + "-" + k);
            }
            names.add(FUSED + "-" + k);
            names.add(SPARSE + "-" + k);
            names.add(DENSE + "-" + k);
        }
        return names;
    }

    @Override
    void choose(String candidate, boolean batch) {
        boolean fused = candidate.startsWith(FUSED + "-");
        boolean compact = candidate.startsWith(COMPACT + "-");
        if (compact && !compactPossible) {
            throw new IllegalArgumentException("layer " + layer() + ": maps of " + geometry.positions()
                    + " positions, the compact form runs at most " + COMPACT_MAX_POSITIONS);
        }
        boolean sparse = fused || compact || candidate.startsWith(SPARSE + "-");
        if (batch) {
            sparseBatch = sparse;
            fusedBatch = fused;
            compactBatch = compact;
        } else {
            sparseOne = sparse;
            fusedOne = fused;
            compactOne = compact;
        }
        kernels(candidate.substring(candidate.indexOf('-') + 1), batch);
    }

    /**
     * Coefficient matrices at most this dense run sparse when chosen by rule: a sparse row loads a map vector for
     * each multiply-add, where the dense product's register block feeds four with each load, but skips every zero.
     */
    static final double SPARSE_DENSITY = 0.5;

    /**
     * Sparse coefficient matrices denser than this run fused, tile by tile, when chosen by rule. Each non-zero
     * reads a map: with many per output channel (the demo's real model keeps about a third) reading them from a
     * tile in L1 rather than a band in L2 measured 0.77-0.84x the time; with a few (97 % pruned) the tiles' extra
     * calls cost more than they save (1.02-1.14x), so the banded path stays.
     */
    static final double FUSED_DENSITY = 0.1;

    @Override
    void decide(java.util.function.Predicate<String> allowed) {
        String kernel = kernelSets().keySet().iterator().next();
        double density = rowStart[outChannels] / ((double) outChannels * maps());
        List<String> order = density > SPARSE_DENSITY ? List.of(DENSE, FUSED, SPARSE)
                : density > FUSED_DENSITY ? List.of(FUSED, SPARSE, DENSE) : List.of(SPARSE, FUSED, DENSE);
        for (boolean batch : new boolean[] {false, true}) {
            List<String> forms = new ArrayList<>(order);
            if (density <= SPARSE_DENSITY && compactPays(batch)) {
                forms.add(0, COMPACT);
            }
            String chosen = forms.stream().map(form -> form + "-" + kernel).filter(allowed).findFirst()
                    .orElse(DENSE + "-" + kernel);
            choose(chosen, batch);
        }
    }

    /** Floats of a vector the rule counts in: the widest this engine runs (512 bits). */
    private static final int RULE_LANES = 16;

    /**
     * Whether the rule runs the compact form that way: where the images' positions without the padding take
     * fewer vectors than the staged rows, each non-zero coefficient then loading fewer (image by image an 8 × 8 map
     * is 64 values against 72, a 4 × 4 one 16 against 20; 2 × 2 maps in groups of four images 16 against 33), and
     * in a batch only on maps of at most {@link #COMPACT_BATCH_MAX_POSITIONS}.
     */
    private boolean compactPays(boolean batch) {
        if (!compactPossible || batch && geometry.positions() > COMPACT_BATCH_MAX_POSITIONS) {
            return false;
        }
        int images = batch ? group() : 1;
        return vectors(images * geometry.positions()) < vectors(geometry.bandLength(images, needed));
    }

    private static int vectors(int floats) {
        return Math.max(1, (floats + RULE_LANES - 1) / RULE_LANES);
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
        if (!fusedOne && !fusedBatch) {
            tileOffsets = null;
        }
        if (!(sparseOne && !fusedOne) && !(sparseBatch && !fusedBatch)) {
            mapOf = null;
        }
    }

    @Override
    String chosen(boolean batch) {
        String form = (batch ? compactBatch : compactOne) ? COMPACT : (batch ? fusedBatch : fusedOne) ? FUSED
                : (batch ? sparseBatch : sparseOne) ? SPARSE : DENSE;
        return form + "-" + kernels(batch).name();
    }
}
