package io.penni.onnx.internal.importer;

import java.util.Arrays;

import io.penni.api.model.Padding;

/**
 * The sliding-window attributes of Conv, MaxPool and AveragePool mapped onto the IR's one kernel size, stride
 * and per-side padding per layer. ONNX's pads [top, left, bottom, right] are the IR's order. An end pad that
 * differs from its begin pad where the difference is never reached by a window (TensorFlow's SAME at stride 2 on
 * some sizes) is set to the begin pad, so such a layer stays uniformly padded, as every backend runs it; an end pad
 * whose difference a window does reach is kept, and the layer is padded asymmetrically.
 *
 * @param kernel the square kernel's size
 * @param stride the stride on both axes
 * @param padding the IR's padding per side
 */
record Windows(int kernel, int stride, Padding padding) {

    /** More padding than any real network uses; keeps every size computed from a file's attributes far from overflow. */
    static final long MAX_PADDING = 1 << 16;

    /**
     * @param context the node
     * @param attributes its attributes
     * @param kernelShape the kernel's [height, width] (from kernel_shape or the weight)
     * @param map its input [C, H, W]
     * @param ceil whether the output size is rounded up (a pool's ceil_mode)
     * @param padded zeros a Pad node before it added to the map [top, left, bottom, right], added to its own pads
     * @return the IR's window fields
     */
    static Windows of(NodeContext context, NodeAttributes attributes, long[] kernelShape, long[] map, boolean ceil,
            long[] padded) {
        if (kernelShape.length != 2 || kernelShape[0] != kernelShape[1]) {
            throw context.error("kernel " + Arrays.toString(kernelShape) + " is not square; supported: 2-D square"
                    + " kernels");
        }
        if (kernelShape[0] < 1 || kernelShape[0] > map[1] + map[2] + MAX_PADDING) {
            throw context.error("kernel " + Arrays.toString(kernelShape) + " is not supported; supported: a kernel"
                    + " that fits its input " + map[1] + "x" + map[2] + " with its padding");
        }
        int kernel = (int) kernelShape[0];
        long[] strides = attributes.integers("strides").orElse(new long[] {1, 1});
        if (strides.length != 2 || strides[0] != strides[1] || strides[0] < 1 || strides[0] > Integer.MAX_VALUE) {
            throw context.error("strides " + Arrays.toString(strides) + " are not supported; supported: the same"
                    + " positive stride on both axes");
        }
        long[] dilations = attributes.integers("dilations").orElse(new long[] {1, 1});
        if (Arrays.stream(dilations).anyMatch(d -> d != 1)) {
            throw context.error("dilations " + Arrays.toString(dilations) + " are not supported; supported:"
                    + " dilation 1");
        }
        int stride = (int) strides[0];
        // auto_pad pads the map as the Pad node left it; the pads then reach back to the map before it
        long[] pads = pads(context, attributes, kernel, stride,
                new long[] {map[0], map[1] + padded[0] + padded[2], map[2] + padded[1] + padded[3]});
        for (int i = 0; i < 4; i++) {
            pads[i] += padded[i];
        }
        long[] ir = pads.clone();
        String[] axes = {"height", "width"};
        for (int axis = 0; axis < 2; axis++) {
            long size = map[axis + 1];
            long span = size + pads[axis] + pads[axis + 2] - kernel;
            if (span < 0) {
                throw context.error("kernel " + kernel + " with pads " + Arrays.toString(pads) + " does not fit"
                        + " the input " + axes[axis] + " " + size);
            }
            long onnxOut = (ceil ? -Math.floorDiv(-span, stride) : span / stride) + 1;
            long floorOut = span / stride + 1;
            if (onnxOut != floorOut) {
                throw context.error("ceil_mode 1 rounds the output " + axes[axis] + " up to " + onnxOut + " where the"
                        + " IR rounds down to " + floorOut + "; supported: ceil_mode 0, or an input size where both"
                        + " agree");
            }
            long trimmed = size + 2 * pads[axis] - kernel;
            if (pads[axis + 2] != pads[axis] && trimmed >= 0 && trimmed / stride + 1 == floorOut) {
                ir[axis + 2] = pads[axis];
            }
        }
        return new Windows(kernel, stride, new Padding(Math.toIntExact(ir[0]), Math.toIntExact(ir[1]),
                Math.toIntExact(ir[2]), Math.toIntExact(ir[3])));
    }

    /** @return the output [H, W] of these windows on a map */
    long[] output(long[] map) {
        return new long[] {(map[1] + padding.height() - kernel) / stride + 1,
            (map[2] + padding.width() - kernel) / stride + 1};
    }

    /** Pads [top, left, bottom, right] from pads or auto_pad. */
    private static long[] pads(NodeContext context, NodeAttributes attributes, int kernel, int stride, long[] map) {
        String autoPad = attributes.text("auto_pad", "NOTSET");
        switch (autoPad) {
            case "NOTSET" -> {
                long[] pads = attributes.integers("pads").orElse(new long[4]);
                if (pads.length != 4 || Arrays.stream(pads).anyMatch(p -> p < 0 || p > MAX_PADDING)) {
                    throw context.error("pads " + Arrays.toString(pads) + " are not supported; supported: four"
                            + " pads of a 2-D window from 0 to " + MAX_PADDING);
                }
                return pads;
            }
            case "VALID" -> {
                return new long[4];
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                long[] pads = new long[4];
                for (int axis = 0; axis < 2; axis++) {
                    long size = map[axis + 1];
                    long total = Math.max((-Math.floorDiv(-size, stride) - 1) * stride + kernel - size, 0);
                    long small = total / 2;
                    pads[axis] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    pads[axis + 2] = total - pads[axis];
                }
                return pads;
            }
            default -> throw context.error("auto_pad '" + autoPad + "' is not supported; supported: NOTSET,"
                    + " VALID, SAME_UPPER, SAME_LOWER");
        }
    }
}
