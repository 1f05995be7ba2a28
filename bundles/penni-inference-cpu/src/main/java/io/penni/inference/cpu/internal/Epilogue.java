package io.penni.inference.cpu.internal;

import java.util.Arrays;

/**
 * What a convolution or linear layer does to each computed row before storing it: add the bias (batch norm
 * already folded into weights and bias), add the residual input of a fused add, apply a fused ReLU, drop the
 * padded columns of a shifted product, and pool a fused non-overlapping pooling window ({@code pool × pool},
 * stride {@code pool}, no padding) so the layer's full-size output is never stored.
 *
 * @param bias per output channel
 * @param residual the value a fused add sums in, or null for none
 * @param relu whether a ReLU follows
 * @param pool the fused pooling window's side, or 0 for none
 * @param maxPool whether the fused pooling takes the maximum (else the mean)
 * @param staged the output's staged layout, or null for plain channels ({@link Value.Staged}: never with a
 *     residual or a pooling)
 */
record Epilogue(float[] bias, Value residual, boolean relu, int pool, boolean maxPool, Value.Staged staged) {

    /** An epilogue whose output is stored as plain channels. */
    Epilogue(float[] bias, Value residual, boolean relu, int pool, boolean maxPool) {
        this(bias, residual, relu, pool, maxPool, null);
    }

    /** @return computed rows the stored result needs: a fused pooling drops the rows no window covers */
    int neededRows(int outHeight) {
        return pool == 0 ? outHeight : outHeight / pool * pool;
    }

    /** Stores every row of output channel n of one image; see {@link #store(Kernels, Frame, int, int, float[],
     * int, int, int, int, int, int, float[], int)}. */
    void store(Kernels kernels, Frame frame, int image, int n, float[] acc, int accOff, int rowStride, int outHeight,
            int outWidth, float[] out, int outOff) {
        store(kernels, frame, image, n, acc, accOff, rowStride, 0, neededRows(outHeight), outHeight, outWidth, out,
                outOff);
    }

    /**
     * Stores the computed rows {@code [y0, y0 + rows)} of output channel n of one image; with a fused pooling
     * both are multiples of the window. The computed rows are changed in place on the way.
     *
     * @param kernels the kernels for the element-wise work, on the thread's own {@code acc}
     * @param frame the run's buffers
     * @param image the image
     * @param n the output channel
     * @param acc the computed rows, the thread's own array
     * @param accOff where row y0 starts
     * @param rowStride values per computed row
     * @param y0 the first row
     * @param rows rows
     * @param outHeight the layer's output rows (before a fused pooling)
     * @param outWidth the layer's output columns (before a fused pooling)
     * @param out the output array
     * @param outOff where this image's output starts
     */
    void store(Kernels kernels, Frame frame, int image, int n, float[] acc, int accOff, int rowStride, int y0,
            int rows, int outHeight, int outWidth, float[] out, int outOff) {
        // the padded columns between rows are computed too and thrown away below: one contiguous run; a
        // residual is added once the rows are stored, where its rows line up with them
        kernels.bias(acc, accOff, (rows - 1) * rowStride + outWidth, bias[n], reluBeforeStore());
        storeBiased(kernels, frame, image, n, acc, accOff, rowStride, y0, rows, outHeight, outWidth, out, outOff);
    }

    /**
     * @return whether the ReLU goes with the bias, before the rows are stored (else after a fused residual add,
     *     or not at all)
     */
    boolean reluBeforeStore() {
        return relu && residual == null;
    }

    /**
     * As {@link #store(Kernels, Frame, int, int, float[], int, int, int, int, int, int, float[], int)}, for rows
     * whose kernel already added the bias and applied {@link #reluBeforeStore()}.
     */
    void storeBiased(Kernels kernels, Frame frame, int image, int n, float[] acc, int accOff, int rowStride, int y0,
            int rows, int outHeight, int outWidth, float[] out, int outOff) {
        if (staged != null) {
            storeStaged(n, acc, accOff, rowStride, y0, rows, outHeight, out, outOff);
            return;
        }
        int plane = outHeight * outWidth;
        if (pool != 0) {
            pool(kernels, n, acc, accOff, rowStride, y0, rows, outHeight, outWidth, out, outOff);
            return;
        }
        int o = outOff + n * plane + y0 * outWidth;
        if (residual != null) {
            // the computed rows close ranks (dropping the padded columns) in the thread's own buffer, whole vectors
            // a row, out takes the residual's rows (unless it is the residual's own buffer, updated in place), then
            // the rows are added to them as one run: long vectors, one short tail, each value read before it is
            // written. Closing ranks in place, value by value (C2 cannot vectorise a copy within one array that may
            // overlap), took a sixth of resnet-small's time
            float[] rows0 = acc;
            int from = accOff;
            if (rowStride != outWidth) {
                rows0 = SPARE.atLeast(rows * outWidth + Scratch.SLACK);
                from = 0;
                kernels.copyRows(acc, accOff, rowStride, rows0, 0, outWidth, rows, outWidth);
            }
            float[] res = residual.array(frame);
            int r = residual.offset(image) + n * plane + y0 * outWidth;
            if (res != out || r != o) {
                System.arraycopy(res, r, out, o, rows * outWidth);
            }
            kernels.addInto(rows0, from, out, o, rows * outWidth, relu);
            return;
        }
        if (rowStride == outWidth) {
            System.arraycopy(acc, accOff, out, o, rows * outWidth);
        } else {
            // rows of a small image are a few dozen values: whole vectors, never past the last row's end (the
            // rows after it may be another thread's)
            kernels.copyRows(acc, accOff, rowStride, out, o, outWidth, rows, outWidth);
        }
    }

    /** Each thread's buffer for computed rows closing ranks before a residual add. */
    private static final ThreadBuffer SPARE = new ThreadBuffer();

    /**
     * Stores computed rows in the staged layout ({@link Value.Staged}) their reader reads in place: the rows as
     * computed in one copy (their rows as long as the staged ones), each row's padded column landing on the next
     * row's zero, which is written after; the last row's padded column is not copied, so rows another thread
     * stores start where this band's end. The band with the first row writes the zero rows above it, the band
     * with the last the zero row below it (the next channel's first, zero either way) and the zero after it.
     */
    private void storeStaged(int n, float[] acc, int accOff, int rowStride, int y0, int rows, int outHeight,
            float[] out, int outOff) {
        int wq = staged.rowStride();
        if (rowStride != wq) {
            throw new IllegalStateException("computed rows of " + rowStride + " values for a staged layout of " + wq);
        }
        int base = outOff + n * staged.channelStride();
        int top = staged.top();
        System.arraycopy(acc, accOff, out, base + (top + y0) * wq + 1, rows * wq - 1);
        for (int y = y0; y < y0 + rows; y++) {
            out[base + (top + y) * wq] = 0f;
        }
        if (y0 == 0) {
            Arrays.fill(out, base, base + top * wq, 0f);
        }
        if (y0 + rows == outHeight) {
            int below = base + (top + outHeight) * wq;
            Arrays.fill(out, below, below + wq + 1, 0f);
        }
    }

    /** The pooling window over rows whose bias and ReLU are applied, for the pooled rows they cover. */
    private void pool(Kernels kernels, int n, float[] acc, int accOff, int rowStride, int y0, int rows, int outHeight, int outWidth,
            float[] out, int outOff) {
        int k = pool;
        int pw = outWidth / k;
        int o = outOff + n * (outHeight / k) * pw;
        float area = k * k;
        if (maxPool && k == 2) {
            int first = y0 / k;
            kernels.maxPool2Rows(acc, accOff + (first * k - y0) * rowStride, rowStride, (y0 + rows) / k - first, out,
                    o + first * pw, pw);
            return;
        }
        for (int py = y0 / k; py < (y0 + rows) / k; py++) {
            int a0 = accOff + (py * k - y0) * rowStride;
            int d = o + py * pw;
            for (int px = 0; px < pw; px++) {
                float best = Float.NEGATIVE_INFINITY;
                float sum = 0;
                for (int ky = 0; ky < k; ky++) {
                    int a = a0 + ky * rowStride + px * k;
                    for (int kx = 0; kx < k; kx++) {
                        best = Math.max(best, acc[a + kx]);
                        sum += acc[a + kx];
                    }
                }
                out[d + px] = maxPool ? best : sum / area;
            }
        }
    }

    /**
     * Stores a linear layer's outputs {@code [o, o + count)} of one image in place, value by value.
     *
     * @param frame the run's buffers
     * @param image the image
     * @param o the first output
     * @param count outputs
     * @param y the outputs' array
     * @param yOff where the image's outputs start
     */
    void storeLinear(Frame frame, int image, int o, int count, float[] y, int yOff) {
        float[] res = residual == null ? null : residual.array(frame);
        int r = residual == null ? 0 : residual.offset(image);
        for (int i = o; i < o + count; i++) {
            float v = y[yOff + i] + bias[i] + (res == null ? 0f : res[r + i]);
            y[yOff + i] = relu ? Math.max(0f, v) : v;
        }
    }
}
