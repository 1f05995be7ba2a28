package io.penni.itest;

import java.util.SplittableRandom;

import io.penni.api.model.Tensor;

/** What the tests that compare a backend's or the endpoint's logits with the reference forward pass share. */
final class Logits {

    private Logits() {
    }

    /**
     * Seeded standard-normal 28×28 single-channel images.
     *
     * @param batch images
     * @param seed the random seed
     * @return {@code [batch, 1, 28, 28]}
     */
    static Tensor gaussianImages(int batch, long seed) {
        Tensor t = Tensor.zeros(batch, 1, 28, 28);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) random.nextGaussian();
        }
        return t;
    }

    /**
     * The relative error {@code max|a − b| / max(1e-6, max|b|)}; infinite when the lengths differ or a value is NaN.
     *
     * @param actual what was computed
     * @param reference what the reference computed
     * @return the error
     */
    static double relativeError(float[] actual, float[] reference) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < reference.length; i++) {
            diff = Math.max(diff, Math.abs((double) actual[i] - reference[i]));
            scale = Math.max(scale, Math.abs((double) reference[i]));
        }
        return actual.length != reference.length || Double.isNaN(diff) ? Double.POSITIVE_INFINITY
                : diff / Math.max(1e-6, scale);
    }
}
