package io.penni.inference.cpu.internal;

import java.util.Map;

/**
 * A dense convolution (any kernel, stride, padding and groups) with batch norm folded into its weight and
 * bias: stage the input ({@link ConvGeometry}), then a matrix product per block of output channels through
 * the measured-fastest {@link Kernels}, then the {@link Epilogue}. In a batch, a few images are staged side by
 * side so that one product covers them all: longer rows, fewer calls.
 */
final class ConvStep extends KernelStep {

    private final Value input;
    private final ConvGeometry geometry;
    /** The weight [N, C / groups, k, k], each group's output channels packed by {@link Kernels#pack}. */
    private final float[] weight;
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

    @Override
    long macs(boolean batch) {
        return (long) outChannels * depth() * geometry.outHeight() * geometry.outWidth();
    }

    @Override
    long weightBytes() {
        return (long) (weight.length + outChannels) * Float.BYTES;
    }

    @Override
    int stageFloats(boolean grouped) {
        return geometry.stageFloats(geometry.channels(), grouped ? group() : 1);
    }

    @Override
    int accFloats(boolean grouped) {
        return ROW_BLOCK * geometry.length(grouped ? group() : 1);
    }
}
