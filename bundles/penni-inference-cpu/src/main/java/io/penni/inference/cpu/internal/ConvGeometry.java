package io.penni.inference.cpu.internal;

import java.util.Arrays;

import io.penni.api.model.ActivationShape;

/**
 * How a k×k window slides over one image, and how a channel is staged so that each kernel tap is one
 * contiguous row for {@link Kernels#gemm}. At stride 1 a channel is copied once into a zero-padded plane of
 * width {@code W + 2p}; tap (ky, kx) is then the plane read from {@code ky·Wp + kx}, and outputs are computed on
 * the padded width (the last {@code 2p} columns of each output row are thrown away by the epilogue). At other
 * strides each tap's pixels are gathered into their own row (im2col of that channel).
 *
 * @param channels input channels C
 * @param height input height
 * @param width input width
 * @param kernel k
 * @param stride stride
 * @param padding zero padding
 * @param outHeight output height
 * @param outWidth output width
 */
record ConvGeometry(int channels, int height, int width, int kernel, int stride, int padding, int outHeight,
        int outWidth) {

    static ConvGeometry of(ActivationShape in, ActivationShape out, int kernel, int stride, int padding) {
        return new ConvGeometry(in.channels(), in.height(), in.width(), kernel, stride, padding, out.height(),
                out.width());
    }

    boolean shifted() {
        return stride == 1;
    }

    int paddedWidth() {
        return width + 2 * padding;
    }

    int paddedHeight() {
        return height + 2 * padding;
    }

    /** @return values per output row of the staged product (padded width at stride 1) */
    int rowStride() {
        return shifted() ? paddedWidth() : outWidth;
    }

    /** @return values per output map as the kernels compute it */
    int length() {
        return outHeight * rowStride();
    }

    int taps() {
        return kernel * kernel;
    }

    /** @return floats one staged channel takes */
    int channelFloats() {
        return shifted() ? paddedHeight() * paddedWidth() : taps() * outHeight * outWidth;
    }

    /** @return floats all staged channels take, with the tail a shifted row may run into */
    int stageFloats(int stagedChannels) {
        return stagedChannels * channelFloats() + kernel * paddedWidth() + kernel;
    }

    /** @return where tap t's row starts inside a staged channel */
    int tapRow(int tap) {
        return shifted() ? (tap / kernel) * paddedWidth() + tap % kernel : tap * outHeight * outWidth;
    }

    /** @return row starts of every (channel, tap), channel-major, as the weight [N, C, k, k] orders them */
    int[] rows(int stagedChannels) {
        int[] rows = new int[stagedChannels * taps()];
        for (int c = 0; c < stagedChannels; c++) {
            for (int t = 0; t < taps(); t++) {
                rows[c * taps() + t] = c * channelFloats() + tapRow(t);
            }
        }
        return rows;
    }

    /**
     * Stages input channel {@code c} of one image into {@code dest} from {@code destOff}.
     *
     * @param in the image's array
     * @param inOff where the image starts
     * @param c the channel
     * @param dest where to write
     * @param destOff where the staged channel starts
     */
    void stage(float[] in, int inOff, int c, float[] dest, int destOff) {
        int plane = height * width;
        int src = inOff + c * plane;
        if (shifted()) {
            int wp = paddedWidth();
            if (padding == 0) {
                System.arraycopy(in, src, dest, destOff, plane);
                return;
            }
            Arrays.fill(dest, destOff, destOff + padding * wp + padding, 0f);
            for (int y = 0; y < height; y++) {
                int row = destOff + (y + padding) * wp + padding;
                System.arraycopy(in, src + y * width, dest, row, width);
                // the right padding of this row and the left padding of the next are adjacent
                Arrays.fill(dest, row + width, row + width + 2 * padding, 0f);
            }
            int end = destOff + paddedHeight() * wp;
            Arrays.fill(dest, destOff + (height + padding) * wp + padding, end, 0f);
            return;
        }
        int n = outHeight * outWidth;
        for (int t = 0; t < taps(); t++) {
            int ky = t / kernel;
            int kx = t % kernel;
            int row = destOff + t * n;
            for (int oy = 0; oy < outHeight; oy++) {
                int iy = oy * stride - padding + ky;
                int o = row + oy * outWidth;
                if (iy < 0 || iy >= height) {
                    Arrays.fill(dest, o, o + outWidth, 0f);
                    continue;
                }
                int line = src + iy * width;
                for (int ox = 0; ox < outWidth; ox++) {
                    int ix = ox * stride - padding + kx;
                    dest[o + ox] = ix >= 0 && ix < width ? in[line + ix] : 0f;
                }
            }
        }
    }
}
