package io.penni.onnx.internal.importer;

import java.util.Arrays;

/**
 * The sliding-window attributes of Conv, MaxPool and AveragePool mapped onto the IR's one kernel size, stride
 * and padding per layer. The IR pads every side alike; ONNX pads begin and end of each axis separately. Pads
 * map when both axes begin with the same padding and each end pad gives the same output size as the IR's (the
 * extra end padding then is never reached by a window, e.g. TensorFlow's SAME padding at stride 2).
 *
 * @param kernel the square kernel's size
 * @param stride the stride on both axes
 * @param padding the IR's padding on every side
 * @param padded whether any ONNX pad is non-zero
 */
record Windows(int kernel, int stride, int padding, boolean padded) {

    /** More padding than any real network uses; keeps every size computed from a file's attributes far from overflow. */
    static final long MAX_PADDING = 1 << 16;

    /**
     * @param context the node
     * @param attributes its attributes
     * @param kernelShape the kernel's [height, width] (from kernel_shape or the weight)
     * @param map its input [C, H, W]
     * @param ceil whether the output size is rounded up (a pool's ceil_mode)
     * @return the IR's window fields
     */
    static Windows of(NodeContext context, NodeAttributes attributes, long[] kernelShape, long[] map, boolean ceil) {
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
        long[] pads = pads(context, attributes, kernel, stride, map);
        if (pads[0] != pads[1]) {
            throw context.error("pads " + Arrays.toString(pads) + " pad the top (" + pads[0] + ") and the left ("
                    + pads[1] + ") differently; the IR pads height and width alike");
        }
        int padding = Math.toIntExact(pads[0]);
        String[] axes = {"height", "width"};
        for (int axis = 0; axis < 2; axis++) {
            long size = map[axis + 1];
            long span = size + pads[axis] + pads[axis + 2] - kernel;
            if (span < 0) {
                throw context.error("kernel " + kernel + " with pads " + Arrays.toString(pads) + " does not fit"
                        + " the input " + axes[axis] + " " + size);
            }
            long onnxOut = (ceil ? -Math.floorDiv(-span, stride) : span / stride) + 1;
            long irSpan = size + 2L * padding - kernel;
            long irOut = irSpan < 0 ? 0 : irSpan / stride + 1;
            if (onnxOut != irOut) {
                throw context.error(pads[axis] != pads[axis + 2]
                        ? "pads " + Arrays.toString(pads) + " are asymmetric (the " + axes[axis] + " is padded "
                                + pads[axis] + " before and " + pads[axis + 2] + " after), giving output "
                                + axes[axis] + " " + onnxOut + " where the IR's padding of " + padding
                                + " on every side gives " + irOut + "; supported: the same padding on every"
                                + " side, or extra end padding that no window reaches"
                        : "ceil_mode 1 rounds the output " + axes[axis] + " up to " + onnxOut + " where the IR"
                                + " rounds down to " + irOut + "; supported: ceil_mode 0, or an input size"
                                + " where both agree");
            }
        }
        return new Windows(kernel, stride, padding, Arrays.stream(pads).anyMatch(p -> p != 0));
    }

    /** @return the output [H, W] of these windows on a map */
    long[] output(long[] map) {
        return new long[] {(map[1] + 2L * padding - kernel) / stride + 1, (map[2] + 2L * padding - kernel) / stride + 1};
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
