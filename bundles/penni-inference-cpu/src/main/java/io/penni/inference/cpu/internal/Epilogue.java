package io.penni.inference.cpu.internal;

/**
 * What a convolution or linear layer does to each computed row before storing it: add the bias (batch norm
 * already folded into weights and bias), add the residual input of a fused add, apply a fused ReLU, and
 * drop the padded columns of a shifted product.
 *
 * @param bias per output channel
 * @param residual the value a fused add sums in, or null for none
 * @param relu whether a ReLU follows
 */
record Epilogue(float[] bias, Value residual, boolean relu) {

    /**
     * Stores output channel n of one image.
     *
     * @param frame the run's buffers
     * @param image the image
     * @param n the output channel
     * @param acc the computed row
     * @param accOff where it starts
     * @param rowStride values per computed row
     * @param outHeight output rows
     * @param outWidth output columns
     * @param out the output array
     * @param outOff where this image's output starts
     */
    void store(Frame frame, int image, int n, float[] acc, int accOff, int rowStride, int outHeight, int outWidth,
            float[] out, int outOff) {
        float b = bias[n];
        int plane = outHeight * outWidth;
        int o = outOff + n * plane;
        float[] res = residual == null ? null : residual.array(frame);
        int r = residual == null ? 0 : residual.offset(image) + n * plane;
        for (int y = 0; y < outHeight; y++) {
            int a = accOff + y * rowStride;
            int d = o + y * outWidth;
            int e = r + y * outWidth;
            if (res == null) {
                if (relu) {
                    for (int x = 0; x < outWidth; x++) {
                        out[d + x] = Math.max(0f, acc[a + x] + b);
                    }
                } else {
                    for (int x = 0; x < outWidth; x++) {
                        out[d + x] = acc[a + x] + b;
                    }
                }
            } else if (relu) {
                for (int x = 0; x < outWidth; x++) {
                    out[d + x] = Math.max(0f, acc[a + x] + b + res[e + x]);
                }
            } else {
                for (int x = 0; x < outWidth; x++) {
                    out[d + x] = acc[a + x] + b + res[e + x];
                }
            }
        }
    }
}
