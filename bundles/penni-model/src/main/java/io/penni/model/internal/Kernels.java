package io.penni.model.internal;

import java.util.Arrays;
import java.util.List;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Padding;

/**
 * The reference forward pass's arithmetic on one image's C×H×W activations, written for obvious correctness:
 * direct loops, sums in double precision, no tiling. The shapes passed in have been validated.
 */
public final class Kernels {

    private Kernels() {
    }

    /**
     * A grouped 2-D convolution with zero padding. Zero weights are skipped, so a sparse weight costs only its
     * non-zeros.
     *
     * @param in input values
     * @param inShape input shape
     * @param weight {@code [outChannels, inChannels/groups, k, k]}
     * @param bias {@code [outChannels]}, or empty for none
     * @param groups channel groups
     * @param kernel k
     * @param stride stride
     * @param padding zero padding per side (the output shape already says how far the bottom and right reach)
     * @param outShape output shape
     * @return output values
     */
    public static float[] conv(float[] in, ActivationShape inShape, float[] weight, float[] bias, int groups,
            int kernel, int stride, Padding padding, ActivationShape outShape) {
        int inH = inShape.height();
        int inW = inShape.width();
        int outH = outShape.height();
        int outW = outShape.width();
        int outC = outShape.channels();
        int inPerGroup = inShape.channels() / groups;
        int outPerGroup = outC / groups;
        float[] out = new float[outC * outH * outW];
        double[] sum = new double[outH * outW];
        for (int n = 0; n < outC; n++) {
            Arrays.fill(sum, bias.length == 0 ? 0.0 : bias[n]);
            int group = n / outPerGroup;
            for (int ci = 0; ci < inPerGroup; ci++) {
                int channelStart = (group * inPerGroup + ci) * inH * inW;
                for (int ky = 0; ky < kernel; ky++) {
                    for (int kx = 0; kx < kernel; kx++) {
                        float w = weight[((n * inPerGroup + ci) * kernel + ky) * kernel + kx];
                        if (w == 0f) {
                            continue;
                        }
                        for (int oy = 0; oy < outH; oy++) {
                            int iy = oy * stride - padding.top() + ky;
                            if (iy < 0 || iy >= inH) {
                                continue;
                            }
                            int rowIn = channelStart + iy * inW;
                            int rowOut = oy * outW;
                            for (int ox = 0; ox < outW; ox++) {
                                int ix = ox * stride - padding.left() + kx;
                                if (ix >= 0 && ix < inW) {
                                    sum[rowOut + ox] += (double) w * in[rowIn + ix];
                                }
                            }
                        }
                    }
                }
            }
            int plane = n * outH * outW;
            for (int i = 0; i < sum.length; i++) {
                out[plane + i] = (float) sum[i];
            }
        }
        return out;
    }

    /**
     * Batch normalisation with running statistics (inference mode):
     * {@code gamma · (x − mean) / √(var + ε) + beta}.
     *
     * @param in input values
     * @param shape the shape (unchanged)
     * @param gamma scale per channel
     * @param beta shift per channel
     * @param mean running mean per channel
     * @param variance running variance per channel
     * @param epsilon added to the variance
     * @return output values
     */
    public static float[] batchNorm(float[] in, ActivationShape shape, float[] gamma, float[] beta, float[] mean,
            float[] variance, double epsilon) {
        float[] out = new float[in.length];
        int plane = shape.height() * shape.width();
        for (int c = 0; c < shape.channels(); c++) {
            double scale = gamma[c] / Math.sqrt(variance[c] + epsilon);
            for (int i = c * plane; i < (c + 1) * plane; i++) {
                out[i] = (float) ((in[i] - (double) mean[c]) * scale + beta[c]);
            }
        }
        return out;
    }

    /**
     * max(0, x).
     *
     * @param in input values
     * @return output values
     */
    public static float[] relu(float[] in) {
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = Math.max(0f, in[i]);
        }
        return out;
    }

    /**
     * Max or average pooling. Max pooling takes the maximum of the window's positions inside the input (padding
     * never wins); average pooling divides by k·k, counting padded positions as zeros.
     *
     * @param in input values
     * @param inShape input shape
     * @param max max (true) or average (false)
     * @param kernel window size
     * @param stride stride
     * @param padding padding per side (the output shape already says how far the bottom and right reach)
     * @param outShape output shape
     * @return output values
     */
    public static float[] pool(float[] in, ActivationShape inShape, boolean max, int kernel, int stride,
            Padding padding, ActivationShape outShape) {
        int inH = inShape.height();
        int inW = inShape.width();
        int outH = outShape.height();
        int outW = outShape.width();
        float[] out = new float[outShape.channels() * outH * outW];
        for (int c = 0; c < outShape.channels(); c++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double best = Double.NEGATIVE_INFINITY;
                    double sum = 0;
                    for (int ky = 0; ky < kernel; ky++) {
                        int iy = oy * stride - padding.top() + ky;
                        for (int kx = 0; kx < kernel; kx++) {
                            int ix = ox * stride - padding.left() + kx;
                            if (iy >= 0 && iy < inH && ix >= 0 && ix < inW) {
                                float v = in[(c * inH + iy) * inW + ix];
                                best = Math.max(best, v);
                                sum += v;
                            }
                        }
                    }
                    out[(c * outH + oy) * outW + ox] = (float) (max ? best : sum / (kernel * kernel));
                }
            }
        }
        return out;
    }

    /**
     * The mean of each channel's map.
     *
     * @param in input values
     * @param shape input shape
     * @return one value per channel
     */
    public static float[] globalAvgPool(float[] in, ActivationShape shape) {
        int plane = shape.height() * shape.width();
        float[] out = new float[shape.channels()];
        for (int c = 0; c < shape.channels(); c++) {
            double sum = 0;
            for (int i = c * plane; i < (c + 1) * plane; i++) {
                sum += in[i];
            }
            out[c] = (float) (sum / plane);
        }
        return out;
    }

    /**
     * Element-wise sum.
     *
     * @param inputs same-length inputs
     * @return their sum
     */
    public static float[] add(List<float[]> inputs) {
        float[] out = new float[inputs.get(0).length];
        for (int i = 0; i < out.length; i++) {
            double sum = 0;
            for (float[] input : inputs) {
                sum += input[i];
            }
            out[i] = (float) sum;
        }
        return out;
    }

    /**
     * {@code weight · x + bias} over all input values, channel-major.
     *
     * @param in input values
     * @param weight {@code [out, in]}
     * @param bias {@code [out]}, or empty for none
     * @param outFeatures outputs
     * @return output values
     */
    public static float[] linear(float[] in, float[] weight, float[] bias, int outFeatures) {
        float[] out = new float[outFeatures];
        for (int o = 0; o < outFeatures; o++) {
            double sum = bias.length == 0 ? 0.0 : bias[o];
            int row = o * in.length;
            for (int i = 0; i < in.length; i++) {
                sum += (double) weight[row + i] * in[i];
            }
            out[o] = (float) sum;
        }
        return out;
    }
}
