package io.penni.inference.cpu.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A dense convolution (any kernel, stride, padding and groups) with batch norm folded into its weight and
 * bias: stage the input ({@link ConvGeometry}), then a matrix product per block of output channels through
 * the measured-fastest {@link Kernels}, then the {@link Epilogue}. In a batch, a few images are staged side by
 * side so that one product covers them all: longer rows, fewer calls.
 *
 * <p>On small feature maps (VGG's and ResNet's last stages on 32 × 32 images: 4 × 4, 2 × 2) a row of positions
 * fills few vector lanes, and the staged layout's padding columns and rows, computed and thrown away, outnumber
 * the outputs (a 2 × 2 map: 9 computed positions per 4). There the convolution may run the other way round
 * ({@code columns-} kernels): an im2col copy of the images' positions, packed four at a time, multiplied with the
 * weight packed 64 output channels wide, each multiply-add a vector across output channels, so that no lane is
 * wasted; the depth runs in chunks whose weights stay in cache while every position of the group uses them.
 */
final class ConvStep extends KernelStep {

    /**
     * Positions per image at most for which the columns form is a candidate (vgg16-cifar at batch 1 measured it
     * slower on its 8 × 8 maps than on 4 × 4 and 2 × 2 alone).
     */
    static final int COLUMNS_MAX_POSITIONS = 16;

    /**
     * Positions per image at most for which the rule picks the columns form image by image: vgg16-cifar's dense
     * model at batch 1 took 4.2 ms with it on its 4 × 4 and 2 × 2 maps, 6.9 ms on its 2 × 2 maps only, 10.1 ms
     * without (one process, the settings in alternating turns, 2 threads, quiet machine, a harness not kept); on
     * 8 × 8 maps as well 4.6 ms.
     */
    static final int COLUMNS_ONE_POSITIONS = 16;

    /** Depth values a columns product takes at a time: the block's weights for them are 32 KB, in L1. */
    static final int COLUMNS_DEPTH_CHUNK = 128;

    private static final String COLUMNS = "columns-";

    private final Value input;
    private final ConvGeometry geometry;
    /** The weight [N, C / groups, k, k], each group's output channels packed by {@link Kernels#pack}. */
    private float[] weight;
    /** Whether the layer can run the columns form: one group, small maps. */
    private final boolean columnsPossible;
    /**
     * For the columns form: the weight by blocks of {@link Kernels#COLUMN_BLOCK} output channels, each
     * depth-major (a depth's weights of the block side by side), the last block's missing channels zero; made
     * when the form is first chosen, so a layer that never runs it never holds it.
     */
    private float[] columnWeight;
    private boolean columnsOne;
    private boolean columnsBatch;
    /** Whether the choices are final ({@link #release} called): scratch is then sized for them alone. */
    private boolean decided;
    private final int groups;
    private final int outChannels;
    private final int[] rowsOne;
    private final int[] rowsGroup;
    private final Epilogue epilogue;

    ConvStep(String layer, String kind, Value input, Value output, ConvGeometry geometry, float[] weight, int groups,
            int outChannels, Epilogue epilogue, Map<String, Kernels> kernels) {
        super(layer, kind, output, kernels, geometry.groupFor(geometry.channels(), GROUP_BUDGET));
        this.input = input;
        this.geometry = geometry;
        this.groups = groups;
        this.weight = pack(weight, groups, outChannels / groups, depth());
        this.outChannels = outChannels;
        this.rowsOne = geometry.rows(geometry.channels(), 1);
        this.rowsGroup = geometry.rows(geometry.channels(), group());
        this.epilogue = epilogue;
        this.columnsPossible = groups == 1 && positions() <= COLUMNS_MAX_POSITIONS;
    }

    /**
     * The weight by blocks of {@link Kernels#COLUMN_BLOCK} channels, each depth-major, from its {@link Kernels#pack}
     * form (output channel n, depth p at {@code n / 8 · 8 · depth + p · 8 + n mod 8}; one group).
     */
    private float[] packColumns() {
        int depth = depth();
        int cb = Kernels.COLUMN_BLOCK;
        int rows = Kernels.PACK_ROWS;
        float[] packed = new float[columnBlocks() * depth * cb];
        for (int n = 0; n < outChannels; n++) {
            int dest = n / cb * depth * cb + n % cb;
            int src = n / rows * rows * depth + n % rows;
            for (int p = 0; p < depth; p++) {
                packed[dest + p * cb] = weight[src + p * rows];
            }
        }
        return packed;
    }

    /** @return output positions per image */
    private int positions() {
        return geometry.positions();
    }

    private int columnBlocks() {
        return (outChannels + Kernels.COLUMN_BLOCK - 1) / Kernels.COLUMN_BLOCK;
    }

    private boolean columns(boolean batch) {
        return batch ? columnsBatch : columnsOne;
    }

    /** Each channel group's rows of the weight packed, group after group. */
    private static float[] pack(float[] weight, int groups, int perGroup, int depth) {
        int groupFloats = Kernels.packedFloats(perGroup, depth);
        float[] packed = new float[groups * groupFloats];
        for (int g = 0; g < groups; g++) {
            float[] group = Kernels.pack(weight, g * perGroup * depth, depth, perGroup, depth);
            System.arraycopy(group, 0, packed, g * groupFloats, groupFloats);
        }
        return packed;
    }

    private int depth() {
        return geometry.channels() / groups * geometry.taps();
    }

    @Override
    void compute(Frame frame, int from, int count, Scratch s, boolean batch) {
        float[] in = input.array(frame);
        if (columns(batch)) {
            for (int i = 0; i < count; i++) {
                gather(in, input.offset(from + i), i, count, 0, geometry.channels(), s.stage);
            }
            columnRows(frame, from, count, 0, columnBlocks(), s.stage, s, batch);
            return;
        }
        for (int i = 0; i < count; i++) {
            int inOff = input.offset(from + i);
            for (int c = 0; c < geometry.channels(); c++) {
                geometry.stage(kernels(batch), in, inOff, input.staged(), c, s.stage, c * geometry.channelFloats(count), i,
                        count);
            }
        }
        rows(frame, from, count, 0, outChannels, s.stage, s, batch);
    }

    @Override
    boolean splittable() {
        return true;
    }

    @Override
    void runSplit(Frame frame, int image, WorkerPool pool, Scratch[] s) {
        float[] in = input.array(frame);
        int inOff = input.offset(image);
        float[] stage = s[0].stage;
        int parts = pool.threads();
        int channels = geometry.channels();
        if (columnsOne) {
            pool.run(parts, t -> gather(in, inOff, 0, 1, bound(channels, parts, t, 1), bound(channels, parts, t + 1, 1),
                    stage));
            int blocks = columnBlocks();
            pool.run(parts, t -> columnRows(frame, image, 1, bound(blocks, parts, t, 1), bound(blocks, parts, t + 1, 1),
                    stage, s[t], false));
            return;
        }
        pool.run(parts, t -> {
            for (int c = bound(channels, parts, t, 1); c < bound(channels, parts, t + 1, 1); c++) {
                geometry.stage(kernels(false), in, inOff, input.staged(), c, stage, c * geometry.channelFloats(1), 0, 1);
            }
        });
        pool.run(parts, t -> rows(frame, image, 1, bound(outChannels, parts, t, ROW_BLOCK),
                bound(outChannels, parts, t + 1, ROW_BLOCK), stage, s[t], false));
    }

    /** Output channels [from, to) of {@code count} images from their staged input. */
    private void rows(Frame frame, int image, int count, int from, int to, float[] stage, Scratch s, boolean batch) {
        Kernels kernels = kernels(batch);
        int depth = depth();
        int len = geometry.length(count);
        int[] rows = count == 1 ? rowsOne : count == group() ? rowsGroup : geometry.rows(geometry.channels(), count);
        int perGroup = outChannels / groups;
        float[] out = output().array(frame);
        int groupFloats = Kernels.packedFloats(perGroup, depth);
        for (int n = from; n < to;) {
            // a block never straddles two channel groups or two packed blocks: split it where either ends (a
            // thread's share starts on a packed block unless groups are not multiples of one)
            int channelGroup = n / perGroup;
            int inGroup = n - channelGroup * perGroup;
            int first = inGroup % Kernels.PACK_ROWS;
            int block = Math.min(Math.min(Kernels.PACK_ROWS - first, to - n), perGroup - inGroup);
            kernels.gemmPacked(weight, channelGroup * groupFloats + (inGroup - first) * depth, first, block, depth,
                    stage, rows, channelGroup * depth, s.acc, 0, len, len);
            for (int g = 0; g < count; g++) {
                int outOff = output().offset(image + g);
                for (int i = 0; i < block; i++) {
                    epilogue.store(kernels, frame, image + g, n + i, s.acc, i * len + g * geometry.imageStride(),
                            geometry.rowStride(), geometry.outHeight(), geometry.outWidth(), out, outOff);
                }
            }
            n += block;
        }
    }

    /**
     * Copies input channels {@code [c0, c1)} of image {@code image} of a group of {@code count} into the packed
     * im2col matrix of the columns form: position {@code q} of the group (image by image, row by row) is lane
     * {@code q mod 4} of tile {@code q / 4}; tile t holds depth value p of its lanes at {@code (t·depth + p)·4};
     * taps on padding read zero, and the last tile's lanes past the group's positions are zero.
     */
    private void gather(float[] in, int inOff, int image, int count, int c0, int c1, float[] dest) {
        int k = geometry.kernel();
        int taps = geometry.taps();
        int depth = depth();
        int stride = geometry.stride();
        int top = geometry.padding().top();
        int left = geometry.padding().left();
        int height = geometry.height();
        int width = geometry.width();
        int outH = geometry.outHeight();
        int outW = geometry.outWidth();
        Value.Staged staged = input.staged();
        int tileFloats = depth * Kernels.POSITION_TILE;
        int first = image * positions();
        for (int c = c0; c < c1; c++) {
            // a staged input holds each channel as this layer's staging lays it out: zero rows and columns around
            int base = staged != null ? inOff + c * staged.channelStride() + top * geometry.rowStride() + left
                    : inOff + c * height * width;
            int rowStride = staged != null ? geometry.rowStride() : width;
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int lane = (c * taps + ky * k + kx) * Kernels.POSITION_TILE;
                    for (int y = 0; y < outH; y++) {
                        int iy = y * stride + ky - top;
                        boolean rowInside = iy >= 0 && iy < height;
                        for (int x = 0; x < outW; x++) {
                            int ix = x * stride + kx - left;
                            int q = first + y * outW + x;
                            dest[(q >> 2) * tileFloats + lane + (q & 3)] = rowInside && ix >= 0 && ix < width
                                    ? in[base + iy * rowStride + ix] : 0f;
                        }
                    }
                }
            }
        }
        int all = count * positions();
        if (image == count - 1 && c1 == geometry.channels() && (all & 3) != 0) {
            int tile = (all >> 2) * tileFloats;
            for (int p = 0; p < depth; p++) {
                for (int q = all & 3; q < Kernels.POSITION_TILE; q++) {
                    dest[tile + p * Kernels.POSITION_TILE + q] = 0f;
                }
            }
        }
    }

    /**
     * Output channel blocks {@code [from, to)} of {@code count} images by the columns form, from their packed
     * im2col matrix: each block's products, depth chunk by depth chunk, into {@code s.plane} (position-major),
     * then turned into the rows the epilogue stores ({@code s.acc}, laid out as the staged form computes them).
     */
    private void columnRows(Frame frame, int image, int count, int from, int to, float[] stage, Scratch s,
            boolean batch) {
        Kernels kernels = kernels(batch);
        int depth = depth();
        int cb = Kernels.COLUMN_BLOCK;
        int all = count * positions();
        int tiles = (all + Kernels.POSITION_TILE - 1) / Kernels.POSITION_TILE;
        int tileFloats = depth * Kernels.POSITION_TILE;
        int len = geometry.length(count);
        int outW = geometry.outWidth();
        int rowStride = geometry.rowStride();
        int imageStride = geometry.imageStride();
        float[] products = s.plane;
        float[] out = output().array(frame);
        for (int b = from; b < to; b++) {
            for (int p0 = 0; p0 < depth; p0 += COLUMNS_DEPTH_CHUNK) {
                int chunk = Math.min(COLUMNS_DEPTH_CHUNK, depth - p0);
                for (int t = 0; t < tiles; t++) {
                    kernels.gemmColumns(columnWeight, (b * depth + p0) * cb, chunk, stage,
                            t * tileFloats + p0 * Kernels.POSITION_TILE, products, t * Kernels.POSITION_TILE * cb,
                            p0 > 0);
                }
            }
            int block = Math.min(cb, outChannels - b * cb);
            for (int q = 0; q < all; q++) {
                int g = q / positions();
                int within = q - g * positions();
                int at = g * imageStride + within / outW * rowStride + within % outW;
                for (int i = 0; i < block; i++) {
                    s.acc[i * len + at] = products[q * cb + i];
                }
            }
            for (int g = 0; g < count; g++) {
                int outOff = output().offset(image + g);
                for (int i = 0; i < block; i++) {
                    epilogue.store(kernels, frame, image + g, b * cb + i, s.acc, i * len + g * imageStride,
                            rowStride, geometry.outHeight(), outW, out, outOff);
                }
            }
        }
    }

    @Override
    List<String> candidates() {
        List<String> names = new ArrayList<>(kernelSets().keySet());
        if (columnsPossible) {
            kernelSets().keySet().forEach(k -> names.add(COLUMNS + k));
        }
        return names.size() > 1 ? names : List.of();
    }

    @Override
    void choose(String candidate, boolean batch) {
        boolean columns = candidate.startsWith(COLUMNS);
        if (columns && columnWeight == null) {
            columnWeight = packColumns();
        }
        if (batch) {
            columnsBatch = columns;
        } else {
            columnsOne = columns;
        }
        kernels(columns ? candidate.substring(COLUMNS.length()) : candidate, batch);
    }

    /**
     * By rule, on the first kernels: image by image, the columns form on maps of at most
     * {@link #COLUMNS_ONE_POSITIONS} positions; in batches, where the staged rows of several images fill vectors,
     * only where they would compute more thrown-away positions than outputs (a 2 × 2 map: 9 per 4). On vgg16-cifar
     * at batch 32 that took 117 ms against 147 ms without; with its 4 × 4 maps in the columns form too, 122 ms
     * (resnet18-cifar's 4 × 4 maps: 174 against 172 ms).
     */
    @Override
    void decide(Predicate<String> allowed) {
        String kernel = kernelSets().keySet().iterator().next();
        if (!columnsPossible || !allowed.test(COLUMNS + kernel)) {
            return;
        }
        if (positions() <= COLUMNS_ONE_POSITIONS) {
            choose(COLUMNS + kernel, false);
        }
        if (2 * positions() < geometry.imageStride()) {
            choose(COLUMNS + kernel, true);
        }
    }

    @Override
    void release() {
        decided = true;
        if (columnsOne && columnsBatch) {
            weight = null;
        } else if (!columnsOne && !columnsBatch) {
            columnWeight = null;
        }
    }

    @Override
    String chosen(boolean batch) {
        return (columns(batch) ? COLUMNS : "dense-") + kernels(batch).name();
    }

    @Override
    long macs(boolean batch) {
        return (long) outChannels * depth() * geometry.outHeight() * geometry.outWidth();
    }

    @Override
    long weightBytes() {
        long floats = (weight == null ? 0 : weight.length) + (columnWeight == null ? 0 : columnWeight.length);
        return (floats + outChannels) * Float.BYTES;
    }

    @Override
    int stageFloats(boolean grouped) {
        int images = grouped ? group() : 1;
        int staged = weight == null ? 0 : geometry.stageFloats(geometry.channels(), images);
        return !columnsSized(grouped) ? staged
                : Math.max(staged, columnTiles(images) * Kernels.POSITION_TILE * depth());
    }

    @Override
    int planeFloats(boolean grouped) {
        return !columnsSized(grouped) ? 0
                : columnTiles(grouped ? group() : 1) * Kernels.POSITION_TILE * Kernels.COLUMN_BLOCK;
    }

    @Override
    int accFloats(boolean grouped) {
        int rows = !columnsSized(grouped) ? ROW_BLOCK : Math.max(ROW_BLOCK, Kernels.COLUMN_BLOCK);
        return rows * geometry.length(grouped ? group() : 1);
    }

    /** Whether scratch for a way of running must hold the columns form: it may run it, or it was chosen. */
    private boolean columnsSized(boolean grouped) {
        return columnsPossible && (!decided || columns(grouped));
    }

    private int columnTiles(int images) {
        return (images * positions() + Kernels.POSITION_TILE - 1) / Kernels.POSITION_TILE;
    }
}
