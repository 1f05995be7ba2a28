package io.penni.inference.cpu.internal;

import java.util.List;

/** The steps without weights worth measuring: batch norm left unfused, ReLU, pooling, residual adds. */
final class SimpleSteps {

    private SimpleSteps() {
    }

    /** Batch norm that could not be folded (its input has other readers, or is not a convolution). */
    static final class Affine extends Step {
        private final Value input;
        private final float[] scale;
        private final float[] shift;
        private final int plane;

        Affine(String layer, Value input, Value output, float[] scale, float[] shift, int plane) {
            super(layer, "batchnorm", output);
            this.input = input;
            this.scale = scale;
            this.shift = shift;
            this.plane = plane;
        }

        @Override
        void run(Frame frame, int image, Scratch s) {
            float[] in = input.array(frame);
            float[] out = output().array(frame);
            int i = input.offset(image);
            int o = output().offset(image);
            for (int c = 0; c < scale.length; c++) {
                float a = scale[c];
                float b = shift[c];
                int from = c * plane;
                for (int j = 0; j < plane; j++) {
                    out[o + from + j] = in[i + from + j] * a + b;
                }
            }
        }

        @Override
        long weightBytes() {
            return 2L * scale.length * Float.BYTES;
        }
    }

    /** A ReLU that could not be fused. */
    static final class Relu extends Step {
        private final Value input;
        private final float max;

        /** A ReLU, bounded above by {@code max} (infinite for a plain ReLU; 6 for ReLU6). */
        Relu(String layer, Value input, Value output, float max) {
            super(layer, Float.isInfinite(max) ? "relu" : "clipped_relu", output);
            this.input = input;
            this.max = max;
        }

        @Override
        void run(Frame frame, int image, Scratch s) {
            float[] in = input.array(frame);
            float[] out = output().array(frame);
            int i = input.offset(image);
            int o = output().offset(image);
            for (int j = 0; j < input.size(); j++) {
                out[o + j] = Math.min(Math.max(0f, in[i + j]), max);
            }
        }
    }

    /** An element-wise sum that could not be fused into the convolution before it, with a fused ReLU. */
    static final class Sum extends Step {
        private final List<Value> inputs;
        private final boolean relu;

        Sum(String layer, List<Value> inputs, Value output, boolean relu) {
            super(layer, relu ? "add+relu" : "add", output);
            this.inputs = List.copyOf(inputs);
            this.relu = relu;
        }

        @Override
        void run(Frame frame, int image, Scratch s) {
            float[] out = output().array(frame);
            int o = output().offset(image);
            int size = output().size();
            Value first = inputs.get(0);
            System.arraycopy(first.array(frame), first.offset(image), out, o, size);
            for (int k = 1; k < inputs.size(); k++) {
                float[] in = inputs.get(k).array(frame);
                int i = inputs.get(k).offset(image);
                for (int j = 0; j < size; j++) {
                    out[o + j] += in[i + j];
                }
            }
            if (relu) {
                for (int j = 0; j < size; j++) {
                    out[o + j] = Math.max(0f, out[o + j]);
                }
            }
        }
    }

    /** Max or average pooling; average counts padded positions as zeros, max never takes padding. */
    static final class Pool extends Step {
        private final Value input;
        private final boolean max;
        private final ConvGeometry g;

        Pool(String layer, Value input, Value output, boolean max, ConvGeometry geometry) {
            super(layer, max ? "maxpool" : "avgpool", output);
            this.input = input;
            this.max = max;
            this.g = geometry;
        }

        @Override
        void run(Frame frame, int image, Scratch s) {
            float[] in = input.array(frame);
            float[] out = output().array(frame);
            int i0 = input.offset(image);
            int o0 = output().offset(image);
            int k = g.kernel();
            if (max && k == 2 && g.stride() == 2 && g.padding().isNone()) {
                maxTwoByTwo(in, i0, out, o0);
                return;
            }
            float area = k * k;
            for (int c = 0; c < g.channels(); c++) {
                int plane = i0 + c * g.height() * g.width();
                int outPlane = o0 + c * g.outHeight() * g.outWidth();
                for (int oy = 0; oy < g.outHeight(); oy++) {
                    int y0 = oy * g.stride() - g.padding().top();
                    for (int ox = 0; ox < g.outWidth(); ox++) {
                        int x0 = ox * g.stride() - g.padding().left();
                        float best = Float.NEGATIVE_INFINITY;
                        float sum = 0;
                        for (int y = Math.max(0, y0); y < Math.min(g.height(), y0 + k); y++) {
                            int row = plane + y * g.width();
                            for (int x = Math.max(0, x0); x < Math.min(g.width(), x0 + k); x++) {
                                float v = in[row + x];
                                best = Math.max(best, v);
                                sum += v;
                            }
                        }
                        out[outPlane + oy * g.outWidth() + ox] = max ? best : sum / area;
                    }
                }
            }
        }

        /** VGG's 2×2 / 2 max pooling without the general window's bounds checks (it measured 4× faster). */
        private void maxTwoByTwo(float[] in, int i0, float[] out, int o0) {
            int w = g.width();
            int oh = g.outHeight();
            int ow = g.outWidth();
            for (int c = 0; c < g.channels(); c++) {
                int plane = i0 + c * g.height() * w;
                int outPlane = o0 + c * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    int r0 = plane + 2 * oy * w;
                    int r1 = r0 + w;
                    int o = outPlane + oy * ow;
                    for (int ox = 0; ox < ow; ox++) {
                        int x = 2 * ox;
                        out[o + ox] = Math.max(Math.max(in[r0 + x], in[r0 + x + 1]), Math.max(in[r1 + x], in[r1 + x + 1]));
                    }
                }
            }
        }
    }

    /** The mean of each channel's map. */
    static final class GlobalAverage extends Step {
        private final Value input;
        private final int channels;

        GlobalAverage(String layer, Value input, Value output, int channels) {
            super(layer, "globalavgpool", output);
            this.input = input;
            this.channels = channels;
        }

        @Override
        void run(Frame frame, int image, Scratch s) {
            float[] in = input.array(frame);
            float[] out = output().array(frame);
            int i = input.offset(image);
            int o = output().offset(image);
            int plane = input.size() / channels;
            for (int c = 0; c < channels; c++) {
                float sum = 0;
                for (int j = 0; j < plane; j++) {
                    sum += in[i + c * plane + j];
                }
                out[o + c] = sum / plane;
            }
        }
    }
}
