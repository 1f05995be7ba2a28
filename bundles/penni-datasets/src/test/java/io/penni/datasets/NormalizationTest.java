package io.penni.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** Per-channel normalisation computed from a training set. */
class NormalizationTest {

    /** Three channels with different ranges, so a normalisation mixing them up would show. */
    private static ImageSet set() {
        int count = 40;
        int plane = 5 * 7;
        SplittableRandom random = new SplittableRandom(3);
        byte[] pixels = new byte[count * 3 * plane];
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < plane; p++) {
                    int low = c * 60;
                    pixels[(i * 3 + c) * plane + p] = (byte) random.nextInt(low, low + 40 + 30 * c);
                }
            }
        }
        return new ImageSet("channels", 3, 5, 7, List.of("x"), pixels, new int[count]);
    }

    @Test
    void normalisedTrainingSetHasZeroMeanAndUnitStdPerChannel() {
        ImageSet set = set();
        int plane = set.height() * set.width();
        double[] sum = new double[3];
        double[] squares = new double[3];
        BatchIterator batches = Batches.evaluation(set, Normalization.of(set), 16);
        while (batches.hasNext()) {
            Batch batch = batches.next();
            float[] images = batch.images();
            for (int i = 0; i < images.length; i++) {
                int c = i / plane % 3;
                sum[c] += images[i];
                squares[c] += (double) images[i] * images[i];
            }
        }
        double n = (double) set.count() * plane;
        for (int c = 0; c < 3; c++) {
            double mean = sum[c] / n;
            assertEquals(0, mean, 1e-5, "mean of channel " + c);
            assertEquals(1, Math.sqrt(squares[c] / n - mean * mean), 1e-4, "std of channel " + c);
        }
    }

    @Test
    void constantChannelIsShiftedButNotScaled() {
        byte[] pixels = new byte[2 * 4];
        java.util.Arrays.fill(pixels, (byte) 51);
        Normalization n = Normalization.of(new ImageSet("flat", 1, 2, 2, List.of("x"), pixels, new int[2]));
        assertArrayEquals(new float[] {0.2f}, n.mean());
        assertArrayEquals(new float[] {1f}, n.std());
    }

    @Test
    void zeroStdIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {0}, new float[] {0}));
    }
}
