package io.penni.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.penni.api.job.Augmentation;
import io.penni.api.job.DatasetSpec;

/**
 * The real Fashion-MNIST files from the Debian package dataset-fashion-mnist (which .ci/run installs), loaded
 * once for the class.
 */
class FashionMnistTest {
    private static final Path INSTALLED = Path.of("/usr/share/datasets");
    private static DataSplit split;

    @BeforeAll
    static void load() {
        assertTrue(Files.isRegularFile(INSTALLED.resolve("fashion-mnist/train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed; install it with: apt-get install dataset-fashion-mnist");
        split = DatasetLoader.load(new DatasetSpec("fashion-mnist", "fashion-mnist", Augmentation.NONE, 0, 0),
                INSTALLED);
    }

    @Test
    void hasSixtyThousandTrainingAndTenThousandTestImagesOf28By28() {
        assertEquals(60_000, split.train().count());
        assertEquals(10_000, split.test().count());
        assertEquals("1×28×28", split.train().shape());
        assertEquals(10, split.train().classes());
    }

    @Test
    void everyClassHasAnEqualShare() {
        int[] train = new int[10];
        Arrays.fill(train, 6_000);
        int[] test = new int[10];
        Arrays.fill(test, 1_000);
        assertArrayEquals(train, split.train().classCounts());
        assertArrayEquals(test, split.test().classCounts());
    }

    @Test
    void normalisationMatchesThePublishedStatistics() {
        // the values every Fashion-MNIST training script uses: mean 0.2860, std 0.3530
        Normalization normalization = Normalization.of(split.train());
        assertEquals(0.2860, normalization.mean()[0], 5e-4);
        assertEquals(0.3530, normalization.std()[0], 5e-4);
    }
}
