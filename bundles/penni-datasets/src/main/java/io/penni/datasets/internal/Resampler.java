package io.penni.datasets.internal;

/**
 * Resizes 8-bit image planes with a separable linear (tent) filter whose width grows with the reduction, so a
 * large reduction averages every source pixel instead of skipping most of them (plain bilinear would alias).
 * At scale 1 the filter is exact.
 */
final class Resampler {

    private Resampler() {
    }

    /**
     * Scales planes so that the shorter side becomes {@code size}, then keeps the centre square.
     *
     * @param planes {@code channels × height × width} bytes
     * @param channels planes
     * @param height rows
     * @param width columns
     * @param size the side of the result
     * @return {@code channels × size × size} bytes
     */
    static byte[] scaleAndCrop(byte[] planes, int channels, int height, int width, int size) {
        double scale = (double) size / Math.min(height, width);
        int scaledHeight = Math.max(size, (int) Math.round(height * scale));
        int scaledWidth = Math.max(size, (int) Math.round(width * scale));
        Taps rows = Taps.of(height, scaledHeight, (scaledHeight - size) / 2, size);
        Taps columns = Taps.of(width, scaledWidth, (scaledWidth - size) / 2, size);
        byte[] out = new byte[channels * size * size];
        float[] across = new float[height * size];
        for (int c = 0; c < channels; c++) {
            int in = c * height * width;
            // horizontal pass over every source row, then vertical pass into the output
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < size; x++) {
                    float sum = 0;
                    int base = in + y * width + columns.first[x];
                    for (int k = 0, w = x * columns.stride; k < columns.count[x]; k++, w++) {
                        sum += columns.weights[w] * (planes[base + k] & 0xff);
                    }
                    across[y * size + x] = sum;
                }
            }
            int o = c * size * size;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    float sum = 0;
                    for (int k = 0, w = y * rows.stride; k < rows.count[y]; k++, w++) {
                        sum += rows.weights[w] * across[(rows.first[y] + k) * size + x];
                    }
                    out[o + y * size + x] = (byte) Math.min(255, Math.max(0, Math.round(sum)));
                }
            }
        }
        return out;
    }

    /**
     * For each output position along one axis: the first source index, how many source pixels and their
     * weights (normalised to sum 1), in rows of {@code stride}.
     */
    private record Taps(int[] first, int[] count, float[] weights, int stride) {

        /**
         * @param source source pixels along the axis
         * @param scaled the axis's length after scaling
         * @param offset the first scaled position kept (the crop)
         * @param length how many positions are kept
         */
        static Taps of(int source, int scaled, int offset, int length) {
            double scale = (double) scaled / source;
            double radius = scale < 1 ? 1 / scale : 1;
            int stride = (int) Math.ceil(2 * radius) + 2;
            int[] first = new int[length];
            int[] count = new int[length];
            float[] weights = new float[length * stride];
            for (int i = 0; i < length; i++) {
                double centre = (i + offset + 0.5) / scale - 0.5;
                int lo = Math.max(0, (int) Math.ceil(centre - radius));
                int hi = Math.min(source - 1, (int) Math.floor(centre + radius));
                double total = 0;
                for (int j = lo; j <= hi; j++) {
                    total += Math.max(0, 1 - Math.abs(j - centre) / radius);
                }
                first[i] = lo;
                count[i] = hi - lo + 1;
                for (int j = lo; j <= hi; j++) {
                    weights[i * stride + j - lo] = (float) (Math.max(0, 1 - Math.abs(j - centre) / radius) / total);
                }
            }
            return new Taps(first, count, weights, stride);
        }
    }
}
