package io.penni.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.job.Augmentation;
import io.penni.api.job.DatasetSpec;

/** The image shape a data set gives a model, found without reading its images. */
class ImageShapeTest {

    @TempDir
    Path root;

    private Optional<int[]> shape(String format, String path, int imageSize) {
        return DatasetLoader.imageShape(new DatasetSpec(format, path, Augmentation.NONE, 0, 0, imageSize), root);
    }

    @Test
    void idxImagesAreGreyOfTheHeadersSize() {
        SampleFiles.writeIdxSet(root.resolve("digits"), 3, 2, 12, 10, true);

        assertArrayEquals(new int[] {1, 12, 10}, shape("mnist", "digits", 0).orElseThrow());
    }

    @Test
    void cifarImagesAreThreeChannelsOf32() {
        SampleFiles.write(root.resolve("cifar"), "data_batch_1.bin",
                SampleFiles.cifarRecords(new int[] {1}, SampleFiles.pixels(1, 3 * 32 * 32)), false);
        SampleFiles.write(root.resolve("cifar"), "test_batch.bin",
                SampleFiles.cifarRecords(new int[] {2}, SampleFiles.pixels(1, 3 * 32 * 32)), false);

        assertArrayEquals(new int[] {3, 32, 32}, shape("cifar10", "cifar", 0).orElseThrow());
    }

    @Test
    void anImageFolderHasTheFirstImagesSizeOrImageSizeAndNoKnownChannels() {
        SampleFiles.writeImage(root.resolve("images/train/a"), "1.png", SampleFiles.solid(9, 6, 0xFF0000), "png");
        SampleFiles.writeImage(root.resolve("images/test/a"), "2.png", SampleFiles.solid(9, 6, 0xFF0000), "png");

        assertArrayEquals(new int[] {0, 6, 9}, shape("image-folder", "images", 0).orElseThrow());
        assertArrayEquals(new int[] {0, 24, 24}, shape("image-folder", "images", 24).orElseThrow());
    }

    @Test
    void aDataSetThatCannotBeReadHasNoShape() {
        assertEquals(Optional.empty(), shape("cifar10", "absent", 0));
    }
}
