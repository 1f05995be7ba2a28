package io.penni.inference.cpu.internal;

import java.util.Arrays;

import io.penni.api.model.ActivationShape;

/**
 * How a k×k window slides over an image, and how a channel of a group of images is staged so that each kernel
 * tap is one contiguous row for {@link Kernels#gemm} spanning every image of the group.
 *
 * <p>At stride 1 each image's channel is copied once into a zero-padded plane of width {@code Wp = W + 2p}, the
 * group's planes one after another; tap (ky, kx) is then the staged planes read from {@code ky·Wp + kx}, and
 * outputs are computed on the padded width across the whole group (the columns past each output row, and the
 * rows between images, are computed and thrown away by the epilogue). At other strides each tap's pixels are
 * gathered into a row per image (im2col), the group's rows of one tap side by side.
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

    int taps() {
        return kernel * kernel;
    }

    /** @return values per output row of the computed product (padded width at stride 1) */
    int rowStride() {
        return shifted() ? paddedWidth() : outWidth;
    }

    /** @return values between two images' outputs in a computed row */
    int imageStride() {
        return shifted() ? paddedHeight() * paddedWidth() : outHeight * outWidth;
    }

    /** @return values per computed row for a group of images */
    int length(int images) {
        return (images - 1) * imageStride() + outHeight * rowStride();
    }

    /** @return floats one staged channel of a group takes */
    int channelFloats(int images) {
        return images * (shifted() ? paddedHeight() * paddedWidth() : taps() * outHeight * outWidth);
    }

    /** @return floats the staged channels of a group take, with the tail a shifted row may run into */
    int stageFloats(int stagedChannels, int images) {
        return stagedChannels * channelFloats(images) + kernel * paddedWidth() + kernel;
    }

    /** @return where tap t's row starts inside a staged channel of a group */
    int tapRow(int tap, int images) {
        return shifted() ? (tap / kernel) * paddedWidth() + tap % kernel : tap * images * outHeight * outWidth;
    }

    /** @return tap rows of one staged channel */
    int[] tapRows(int images) {
        int[] rows = new int[taps()];
        for (int t = 0; t < rows.length; t++) {
            rows[t] = tapRow(t, images);
        }
        return rows;
    }

    /** @return row starts of every (channel, tap), channel-major, as the weight [N, C, k, k] orders them */
    int[] rows(int stagedChannels, int images) {
        int[] rows = new int[stagedChannels * taps()];
        for (int c = 0; c < stagedChannels; c++) {
            for (int t = 0; t < taps(); t++) {
                rows[c * taps() + t] = c * channelFloats(images) + tapRow(t, images);
            }
        }
        return rows;
    }

    /**
     * Stages input channel {@code c} of one image of a group.
     *
     * @param in the image's array
     * @param inOff where the image starts
     * @param c the channel
     * @param dest where to write
     * @param channelOff where the staged channel of the group starts
     * @param image the image's place in the group
     * @param images images in the group
     */
    void stage(float[] in, int inOff, int c, float[] dest, int channelOff, int image, int images) {
        int plane = height * width;
        int src = inOff + c * plane;
        if (shifted()) {
            int wp = paddedWidth();
            int destOff = channelOff + image * paddedHeight() * wp;
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
            Arrays.fill(dest, destOff + (height + padding) * wp + padding, destOff + paddedHeight() * wp, 0f);
            return;
        }
        int n = outHeight * outWidth;
        for (int t = 0; t < taps(); t++) {
            int ky = t / kernel;
            int kx = t % kernel;
            int row = channelOff + (t * images + image) * n;
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

    /**
     * How many images to stage together so that a group's staging stays near {@code budgetFloats}.
     *
     * @param stagedChannels channels staged at once
     * @param budgetFloats the target size of the staging
     * @return 1 to 16
     */
    int groupFor(int stagedChannels, int budgetFloats) {
        long perImage = (long) stagedChannels * channelFloats(1);
        return (int) Math.max(1, Math.min(16, budgetFloats / Math.max(1, perImage)));
    }
}
