package io.penni.datasets;

import java.util.Arrays;

/**
 * Per-channel normalisation of pixels scaled to 0..1: {@code (pixel / 255 - mean[c]) / std[c]}. Compute it
 * from the training set with {@link #of(ImageSet)} and use the same values for the test set.
 *
 * @param mean each channel's mean of the 0..1 scaled pixels
 * @param std each channel's standard deviation of the 0..1 scaled pixels, each > 0
 */
public record Normalization(float[] mean, float[] std) {

    /** Checks the values and copies the arrays. */
    public Normalization {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std need one value per channel, got " + mean.length
                    + " and " + std.length);
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c]) || !(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("channel " + c + ": mean must be finite and std finite and > 0, were "
                        + mean[c] + " and " + std[c]);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * Scaling to 0..1 only: mean 0 and std 1 in every channel.
     *
     * @param channels channels per image
     * @return the normalisation
     */
    public static Normalization identity(int channels) {
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        return new Normalization(new float[channels], ones);
    }

    /**
     * Each channel's mean and (population) standard deviation over every pixel of every image, on 0..1 scaled
     * pixels. A channel whose pixels are all equal gets std 1, so it is only shifted, never divided by zero.
     *
     * @param set the training set, at least one image
     * @return the normalisation
     */
    public static Normalization of(ImageSet set) {
        if (set.count() == 0) {
            throw new IllegalArgumentException(set.name() + ": cannot compute a normalisation of no images");
        }
        int channels = set.channels();
        int plane = set.height() * set.width();
        // Integer sums are exact: 255² × 2^31 images × plane still fits a long for any set that fits in memory.
        long[] sum = new long[channels];
        long[] squares = new long[channels];
        byte[] image = new byte[set.imageBytes()];
        for (int i = 0; i < set.count(); i++) {
            set.copyImage(i, image, 0);
            for (int c = 0; c < channels; c++) {
                long s = 0;
                long q = 0;
                for (int p = c * plane, end = p + plane; p < end; p++) {
                    int v = image[p] & 0xff;
                    s += v;
                    q += v * v;
                }
                sum[c] += s;
                squares[c] += q;
            }
        }
        double n = (double) set.count() * plane;
        float[] mean = new float[channels];
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / n;
            double variance = Math.max(0, squares[c] / n - m * m);
            mean[c] = (float) (m / 255);
            double s = Math.sqrt(variance) / 255;
            std[c] = s > 0 ? (float) s : 1f;
        }
        return new Normalization(mean, std);
    }

    /** @return how many channels this normalises */
    public int channels() {
        return mean.length;
    }

    /** @return a copy of the means */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** @return a copy of the standard deviations */
    @Override
    public float[] std() {
        return std.clone();
    }

    /**
     * The normalised value of a pixel.
     *
     * @param channel the channel
     * @param pixel the pixel, 0..255
     * @return {@code (pixel / 255 - mean[channel]) / std[channel]}
     */
    public float apply(int channel, int pixel) {
        return (pixel / 255f - mean[channel]) / std[channel];
    }

    /** Equal when the means and standard deviations are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    /** A hash of the means and standard deviations. */
    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    /** The means and standard deviations. */
    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
