package io.penni.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The batch norm's vector sums against the same sums in double precision, for every length from 1 to 70 (whole
 * vectors, pairs of them and every tail) and one channel of a real batch (128 images of 28 × 28), with and without
 * the folded ReLU's mask — which must also zero exactly the gradients where the normalised value is not positive.
 */
class VectorSumsTest {

    @Test
    void sumsEqualDoublePrecisionOnEveryLengthAndTail() {
        Random random = new Random(5);
        for (int n = 1; n <= 70; n++) {
            check(random, n);
        }
        check(random, 128 * 28 * 28);
    }

    private static void check(Random random, int n) {
        float[] x = new float[n];
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() + 3);
            g[i] = (float) random.nextGaussian();
        }
        float mean = (float) (sum(x) / n);
        float scale = 1.7f;
        float shift = -0.2f;
        double tolerance = 1e-5 * n + 1e-5;
        assertEquals(sum(x), VectorSums.sum(x), tolerance * 4, "sum, length " + n);
        double deviation = 0;
        for (float v : x) {
            deviation += (double) (v - mean) * (v - mean);
        }
        assertEquals(deviation, VectorSums.squaredDeviation(x, mean), tolerance, "squared deviation, length " + n);

        double[] plain = VectorSums.sums(x, g.clone(), mean, scale, shift, false);
        assertEquals(sum(g), plain[0], tolerance, "sum of g, length " + n);
        assertEquals(weighted(x, g, mean), plain[1], tolerance, "sum of g(x - m), length " + n);

        float[] masked = g.clone();
        float[] expected = g.clone();
        for (int i = 0; i < n; i++) {
            if ((x[i] - mean) * scale + shift <= 0) {
                expected[i] = 0;
            }
        }
        double[] sums = VectorSums.sums(x, masked, mean, scale, shift, true);
        assertArrayEquals(expected, masked, "the masked gradient, length " + n);
        assertEquals(sum(expected), sums[0], tolerance, "masked sum of g, length " + n);
        assertEquals(weighted(x, expected, mean), sums[1], tolerance, "masked sum of g(x - m), length " + n);
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return s;
    }

    private static double weighted(float[] x, float[] g, float mean) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (double) g[i] * (x[i] - mean);
        }
        return s;
    }
}
