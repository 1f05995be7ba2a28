package io.penni.inference.cpu.internal;

import java.util.Arrays;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Padding;

/**
 * How a k×k window slides over an image, and how a channel of a group of images is staged so that each kernel
 * tap is one contiguous row for {@link Kernels#gemm} spanning every image of the group.
 *
 * <p>The zero-padded input plane (width {@code Wp = W + left + right}) is split into its stride phases: phase (a, b) holds
 * the padded pixels (s·i + a, s·j + b), a plane of width {@code Wq = ⌈Wp / s⌉}. Tap (ky, kx) of output (y, x)
 * is then pixel (y + ky / s, x + kx / s) of phase (ky mod s, kx mod s): every tap is one phase plane read from a
 * fixed offset, and outputs are computed on the phase width across the whole group (the columns past each
 * output row, and the rows between images, are computed and thrown away by the epilogue). At stride 1 there is
 * one phase, the padded plane itself; only the phases some tap reads ({@code min(s, k)} per axis) are staged.
 * Each input pixel is copied once, where an im2col copy would take it up to k² times.
 *
 * <p>At stride 1 neighbouring rows share their zero columns: a staged row is {@code W + max(left, right)} wide
 * (its left padding, its pixels, and the rest of its right padding), and a window past a row's last pixel reads
 * the next row's left padding. A 7 × 7 map's rows are then 8 values, not 9, and every kernel of the layer
 * computes 11 % fewer thrown-away columns (28 × 28: 29 not 30). The last image's last row reads up to
 * {@code min(left, right)} values past its plane, which staging writes as zeros.
 *
 * <p>A band is output rows [y0, y0 + rows) of every image of a group; the whole image is the band y0 = 0,
 * rows = outHeight. A staged channel of a band is laid out phase by phase, each phase holding the group's images
 * one after another, {@code rows + (k − 1) / s} phase rows each (at stride 1 overlapping by the zero padding rows
 * one image's bottom and the next one's top have in common, {@link #bandImageStride}).
 *
 * @param channels input channels C
 * @param height input height
 * @param width input width
 * @param kernel k
 * @param stride stride
 * @param padding zero padding per side (a side may be padded more than its opposite, e.g. TensorFlow's SAME)
 * @param outHeight output height
 * @param outWidth output width
 */
record ConvGeometry(int channels, int height, int width, int kernel, int stride, Padding padding, int outHeight,
        int outWidth) {

    static ConvGeometry of(ActivationShape in, ActivationShape out, int kernel, int stride, Padding padding) {
        return new ConvGeometry(in.channels(), in.height(), in.width(), kernel, stride, padding, out.height(),
                out.width());
    }

    /** @return output positions of one image */
    int positions() {
        return outHeight * outWidth;
    }

    int paddedWidth() {
        return width + padding.width();
    }

    int taps() {
        return kernel * kernel;
    }

    /** @return phases staged per axis: those some tap reads */
    private int phases() {
        return Math.min(stride, kernel);
    }

    /** @return phase rows a band of {@code rows} output rows reads */
    private int phaseRows(int rows) {
        return rows + (kernel - 1) / stride;
    }

    /** @return whether rows share their zero columns: at stride 1, where an output row fits the narrower row */
    boolean sharesColumns() {
        return stride == 1 && outWidth <= width + Math.max(padding.left(), padding.right());
    }

    /**
     * @return values per output row of the computed product: the phase width, or at stride 1 the width with one
     *     side's padding (rows share their zero columns)
     */
    int rowStride() {
        if (sharesColumns()) {
            return width + Math.max(padding.left(), padding.right());
        }
        return (paddedWidth() + stride - 1) / stride;
    }

    /** @return values between two images' outputs in a computed row */
    int imageStride() {
        return bandImageStride(outHeight);
    }

    /** @return values per computed row for a group of images */
    int length(int images) {
        return bandLength(images, outHeight);
    }

    /** @return floats one staged channel of a group takes */
    int channelFloats(int images) {
        return bandChannelFloats(images, outHeight);
    }

    /** @return floats the staged channels of a group take, with the tail a computed row may run into */
    int stageFloats(int stagedChannels, int images) {
        return stagedChannels * channelFloats(images) + tail();
    }

    /** @return where tap t's row starts inside a staged channel of a group */
    int tapRow(int tap, int images) {
        return bandTapRow(tap, images, outHeight);
    }

    /**
     * The floats the last image's computed row reads past its phase plane: (k − 1) / s, and a row for safety; and
     * at stride 1 the zero rows an image shares with the next (the last image's stick out past the group).
     */
    private int tail() {
        return (1 + (stride == 1 ? padding.top() : 0)) * rowStride() + kernel;
    }

    /**
     * Zero rows an image of a band shares with the next image's at stride 1: its padding rows at the bottom are
     * the next one's at the top (both zero), at most the top padding. Counted for a band from the image's first
     * row, the only band several images run in together; a band of one image has no neighbour to share with.
     */
    private int sharedRows(int rows) {
        if (stride != 1) {
            return 0;
        }
        int bottomZero = Math.max(0, rows + kernel - 1 - padding.top() - height);
        return Math.min(padding.top(), bottomZero);
    }

    /**
     * @return values between two images' outputs in a computed band (one image's phase plane, less the zero rows
     *     it shares with the next: a 7 × 7 map's images 8 rows apart, not 9)
     */
    int bandImageStride(int rows) {
        return (phaseRows(rows) - sharedRows(rows)) * rowStride();
    }

    /** @return values per computed row of a band of a group */
    int bandLength(int images, int rows) {
        return (images - 1) * bandImageStride(rows) + rows * rowStride();
    }

    /** @return floats one staged channel of a band of a group takes */
    int bandChannelFloats(int images, int rows) {
        return phases() * phases() * images * bandImageStride(rows);
    }

    /** @return floats one staged channel of a band takes, with the tail a computed row may run into */
    int bandStageFloats(int images, int rows) {
        return bandChannelFloats(images, rows) + tail();
    }

    /** @return where tap t's row starts inside a staged channel of a band */
    int bandTapRow(int tap, int images, int rows) {
        int ky = tap / kernel;
        int kx = tap % kernel;
        int phase = (ky % stride) * phases() + kx % stride;
        return phase * images * bandImageStride(rows) + (ky / stride) * rowStride() + kx / stride;
    }

    /**
     * Writes where each tap's row starts in one staged channel of a band.
     *
     * @param images images in the band
     * @param rows output rows in the band
     * @param taps where to write, at least {@link #taps()} long
     * @return {@code taps}
     */
    int[] bandTapRows(int images, int rows, int[] taps) {
        for (int t = 0; t < taps(); t++) {
            taps[t] = bandTapRow(t, images, rows);
        }
        return taps;
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
     * @param kernels the kernels that copy the rows
     * @param in the image's array
     * @param inOff where the image starts
     * @param staged the input's staged layout, or null for plain channels
     * @param c the channel
     * @param dest where to write
     * @param channelOff where the staged channel of the group starts
     * @param image the image's place in the group
     * @param images images in the group
     */
    void stage(Kernels kernels, float[] in, int inOff, Value.Staged staged, int c, float[] dest, int channelOff,
            int image, int images) {
        stageBand(kernels, in, inOff, staged, c, dest, channelOff, image, images, 0, outHeight);
    }

    /**
     * Stages input channel {@code c} of one image of a group for the output rows {@code [y0, y0 + rows)}: the
     * phase rows they read, zero where they fall on padding. From an input stored staged ({@link Value.Staged},
     * the layout this writes for one image) the band's phase rows and the zero after them are one copy.
     *
     * @param kernels the kernels that copy the rows
     * @param in the image's array
     * @param inOff where the image starts
     * @param staged the input's staged layout, or null for plain channels
     * @param c the channel
     * @param dest where to write
     * @param channelOff where the staged channel of the group starts
     * @param image the image's place in the group
     * @param images images in the group
     * @param y0 the band's first output row
     * @param rows output rows in the band
     */
    void stageBand(Kernels kernels, float[] in, int inOff, Value.Staged staged, int c, float[] dest, int channelOff,
            int image, int images, int y0, int rows) {
        int wq = rowStride();
        int plane = bandImageStride(rows);
        if (staged != null) {
            System.arraycopy(in, inOff + c * staged.channelStride() + y0 * wq, dest, channelOff + image * plane,
                    phaseRows(rows) * wq + 1);
            return;
        }
        int src = inOff + c * height * width;
        int phases = phases();
        int top = padding.top();
        int left = padding.left();
        int phaseRows = phaseRows(rows);
        for (int a = 0; a < phases; a++) {
            // the phase rows r whose input row (y0 + r)·s + a − top lies inside the image: [r0, r1)
            int r0 = Math.min(phaseRows, Math.max(0, -Math.floorDiv(y0 * stride + a - top, stride)));
            int r1 = Math.max(r0, Math.min(phaseRows, Math.floorDiv(height - 1 + top - a, stride) - y0 + 1));
            if (stride == 2 && phases == 2 && r1 > r0
                    && stageColumnPhases(kernels, in, src, dest, channelOff, image, images, y0, rows, a, r0, r1)) {
                continue;
            }
            for (int b = 0; b < phases; b++) {
                int destOff = channelOff + ((a * phases + b) * images + image) * plane;
                int first = firstColumn(b);
                int last = lastColumn(b);
                Arrays.fill(dest, destOff, destOff + r0 * wq, 0f);
                if (r1 > r0 && last > first) {
                    int line = src + ((y0 + r0) * stride + a - top) * width + first * stride + b - left;
                    int to = destOff + r0 * wq + first;
                    // the rows first, whole vectors running on over the next row's start; then the zero columns
                    if (stride == 1) {
                        kernels.copyRows(in, line, width, dest, to, wq, r1 - r0, last - first);
                    } else if (stride == 2) {
                        kernels.copyRowsStride2(in, line, 2 * width, dest, to, wq, r1 - r0, last - first);
                    } else {
                        for (int r = 0; r < r1 - r0; r++) {
                            for (int j = 0; j < last - first; j++) {
                                dest[to + r * wq + j] = in[line + r * stride * width + j * stride];
                            }
                        }
                    }
                }
                zeroAround(dest, destOff, wq, r0, r1, phaseRows, first, last);
                if (sharesColumns() && image == images - 1) {
                    // the shared zero columns past the last row: what the next image's first row would give
                    int end = destOff + phaseRows * wq;
                    Arrays.fill(dest, end, end + Math.min(left, padding.right()), 0f);
                }
            }
        }
    }

    /**
     * Stride 2: row phase {@code a}'s rows {@code [r0, r1)} of both column phases at once, each input row split into
     * its even and odd columns in one pass ({@link Kernels#copyRowsDeinterleaved}), then the zero columns and rows
     * around them, as the general path writes them.
     *
     * @return false, having written nothing, where a column phase is empty or the two do not start on neighbouring
     *     input columns (the general path then stages them)
     */
    private boolean stageColumnPhases(Kernels kernels, float[] in, int src, float[] dest, int channelOff, int image,
            int images, int y0, int rows, int a, int r0, int r1) {
        int wq = rowStride();
        int left = padding.left();
        // each column phase's phase columns inside the image [first, last), and the input column of its first
        int first0 = firstColumn(0);
        int last0 = lastColumn(0);
        int first1 = firstColumn(1);
        int last1 = lastColumn(1);
        int x0 = 2 * first0 - left;
        int x1 = 2 * first1 + 1 - left;
        if (last0 <= first0 || last1 <= first1 || Math.abs(x0 - x1) != 1) {
            return false;
        }
        int plane = bandImageStride(rows);
        int phaseRows = phaseRows(rows);
        int dest0 = channelOff + (2 * a * images + image) * plane;
        int dest1 = channelOff + ((2 * a + 1) * images + image) * plane;
        Arrays.fill(dest, dest0, dest0 + r0 * wq, 0f);
        Arrays.fill(dest, dest1, dest1 + r0 * wq, 0f);
        int line = src + ((y0 + r0) * 2 + a - padding.top()) * width + Math.min(x0, x1);
        // rows may be written past their end up to the phase's last row; the zeros below rewrite what they must
        if (x0 < x1) {
            kernels.copyRowsDeinterleaved(in, line, 2 * width, dest, dest0 + r0 * wq + first0, last0 - first0,
                    dest0 + phaseRows * wq, dest1 + r0 * wq + first1, last1 - first1, dest1 + phaseRows * wq, wq,
                    r1 - r0);
        } else {
            kernels.copyRowsDeinterleaved(in, line, 2 * width, dest, dest1 + r0 * wq + first1, last1 - first1,
                    dest1 + phaseRows * wq, dest0 + r0 * wq + first0, last0 - first0, dest0 + phaseRows * wq, wq,
                    r1 - r0);
        }
        zeroAround(dest, dest0, wq, r0, r1, phaseRows, first0, last0);
        zeroAround(dest, dest1, wq, r0, r1, phaseRows, first1, last1);
        return true;
    }

    /** @return column phase {@code b}'s first phase column whose input column j·s + b − left lies inside the image */
    private int firstColumn(int b) {
        return Math.min(rowStride(), Math.max(0, -Math.floorDiv(b - padding.left(), stride)));
    }

    /** @return past column phase {@code b}'s last phase column inside the image (at least {@link #firstColumn}) */
    private int lastColumn(int b) {
        return Math.max(firstColumn(b),
                Math.min(rowStride(), Math.floorDiv(width - 1 + padding.left() - b, stride) + 1));
    }

    /** The zero columns of rows {@code [r0, r1)} and the zero rows after them, up to {@code phaseRows}. */
    private static void zeroAround(float[] dest, int destOff, int wq, int r0, int r1, int phaseRows, int first,
            int last) {
        for (int r = r0; r < r1; r++) {
            int row = destOff + r * wq;
            // a column or two of padding at most: plain stores, cheaper than a call to fill them
            for (int j = 0; j < first; j++) {
                dest[row + j] = 0f;
            }
            for (int j = last; j < wq; j++) {
                dest[row + j] = 0f;
            }
        }
        Arrays.fill(dest, destOff + r1 * wq, destOff + phaseRows * wq, 0f);
    }

    /**
     * How many images to stage together so that a group's staging stays near {@code budgetFloats}.
     *
     * @param stagedChannels channels staged at once
     * @param budgetFloats the target size of the staging
     * @return 1 to {@link Step#MAX_GROUP}
     */
    int groupFor(int stagedChannels, int budgetFloats) {
        long perImage = (long) stagedChannels * channelFloats(1);
        return (int) Math.max(1, Math.min(Step.MAX_GROUP, budgetFloats / Math.max(1, perImage)));
    }
}
