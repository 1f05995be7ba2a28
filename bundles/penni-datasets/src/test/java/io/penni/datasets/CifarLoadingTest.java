package io.penni.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.job.Augmentation;
import io.penni.api.job.DatasetSpec;

/** CIFAR-10 binary batches, generated small, read back exactly. */
class CifarLoadingTest {
    private static final int IMAGE = 3 * 32 * 32;
    private static final int RECORD = IMAGE + 1;

    @TempDir
    Path root;

    private DataSplit load(int trainLimit, int testLimit) {
        return DatasetLoader.load(new DatasetSpec("cifar10", "cifar", Augmentation.NONE, trainLimit, testLimit), root);
    }

    private void writeBatch(String name, int[] labels, byte[] pixels) {
        SampleFiles.write(root.resolve("cifar"), name, SampleFiles.cifarRecords(labels, pixels), false);
    }

    @Test
    void recordsReadBackWithPixelsAndLabels() {
        writeBatch("data_batch_1.bin", new int[] {3, 9, 0}, SampleFiles.pixels(3, IMAGE));
        writeBatch("test_batch.bin", new int[] {7}, SampleFiles.pixels(1, IMAGE));
        DataSplit split = load(0, 0);
        assertEquals("3×32×32", split.train().shape());
        assertArrayEquals(new int[] {3, 9, 0}, split.train().labels());
        assertArrayEquals(SampleFiles.pixels(3, IMAGE), split.train().pixels());
        assertArrayEquals(new int[] {7}, split.test().labels());
        assertArrayEquals(SampleFiles.pixels(1, IMAGE), split.test().pixels());
    }

    @Test
    void planesAreRedGreenBlueInThatOrder() {
        byte[] pixels = new byte[IMAGE];
        Arrays.fill(pixels, 0, 1024, (byte) 200);
        Arrays.fill(pixels, 1024, 2048, (byte) 100);
        Arrays.fill(pixels, 2048, 3072, (byte) 50);
        writeBatch("data_batch_1.bin", new int[] {1}, pixels);
        writeBatch("test_batch.bin", new int[] {1}, pixels);
        ImageSet train = load(0, 0).train();
        byte[] image = new byte[IMAGE];
        train.copyImage(0, image, 0);
        // channel 0 is red, 1 green, 2 blue: the first pixel of each plane
        assertEquals(200, image[0] & 0xff);
        assertEquals(100, image[32 * 32] & 0xff);
        assertEquals(50, image[2 * 32 * 32] & 0xff);
    }

    @Test
    void whicheverTrainingBatchesExistAreReadInOrder() {
        writeBatch("data_batch_4.bin", new int[] {4, 4}, SampleFiles.pixels(2, IMAGE));
        writeBatch("data_batch_2.bin", new int[] {2}, SampleFiles.pixels(1, IMAGE));
        writeBatch("test_batch.bin", new int[] {0}, SampleFiles.pixels(1, IMAGE));
        assertArrayEquals(new int[] {2, 4, 4}, load(0, 0).train().labels());
    }

    @Test
    void lengthThatIsNotWholeRecordsIsRefused() {
        writeBatch("data_batch_1.bin", new int[] {1}, SampleFiles.pixels(1, IMAGE));
        SampleFiles.write(root.resolve("cifar"), "test_batch.bin", new byte[IMAGE], false);
        DatasetException e = assertThrows(DatasetException.class, () -> load(0, 0));
        assertEquals("cifar/test_batch.bin: 3072 bytes is not a whole number of 3073-byte CIFAR-10 records",
                e.getMessage());
    }

    @Test
    void noTrainingBatchIsRefused() {
        writeBatch("test_batch.bin", new int[] {1}, SampleFiles.pixels(1, IMAGE));
        DatasetException e = assertThrows(DatasetException.class, () -> load(0, 0));
        assertEquals("cifar: no training batch (data_batch_1.bin … data_batch_5.bin)", e.getMessage());
    }

    @Test
    void classNamesComeFromTheMetaFile() throws IOException {
        writeBatch("data_batch_1.bin", new int[] {1}, SampleFiles.pixels(1, IMAGE));
        writeBatch("test_batch.bin", new int[] {0}, SampleFiles.pixels(1, IMAGE));
        Files.writeString(root.resolve("cifar/batches.meta.txt"), "cat\ndog\n\n", StandardCharsets.UTF_8);
        assertEquals(List.of("cat", "dog"), load(0, 0).train().classNames());
    }

    @Test
    void withoutMetaFileTheClassesAreCifar10s() {
        writeBatch("data_batch_1.bin", new int[] {1}, SampleFiles.pixels(1, IMAGE));
        writeBatch("test_batch.bin", new int[] {0}, SampleFiles.pixels(1, IMAGE));
        List<String> classes = load(0, 0).train().classNames();
        assertEquals(10, classes.size());
        assertEquals("airplane", classes.get(0));
        assertEquals("truck", classes.get(9));
    }

    @Test
    void labelBeyondTheMetaFilesClassesIsRefused() throws IOException {
        writeBatch("data_batch_1.bin", new int[] {0, 2}, SampleFiles.pixels(2, IMAGE));
        writeBatch("test_batch.bin", new int[] {0}, SampleFiles.pixels(1, IMAGE));
        Files.writeString(root.resolve("cifar/batches.meta.txt"), "cat\ndog\n", StandardCharsets.UTF_8);
        DatasetException e = assertThrows(DatasetException.class, () -> load(0, 0));
        assertEquals("cifar/data_batch_1.bin: label 2 of record 1 is outside 0..1", e.getMessage());
    }

    @Test
    void filesInTheArchivesSubFolderAreFound() {
        SampleFiles.write(root.resolve("cifar/cifar-10-batches-bin"), "data_batch_1.bin",
                SampleFiles.cifarRecords(new int[] {5}, SampleFiles.pixels(1, IMAGE)), false);
        SampleFiles.write(root.resolve("cifar/cifar-10-batches-bin"), "test_batch.bin",
                SampleFiles.cifarRecords(new int[] {6}, SampleFiles.pixels(1, IMAGE)), false);
        assertArrayEquals(new int[] {6}, load(0, 0).test().labels());
    }

    @Test
    void limitsKeepTheFirstImagesAcrossBatches() {
        writeBatch("data_batch_1.bin", new int[] {1, 2}, SampleFiles.pixels(2, IMAGE));
        writeBatch("data_batch_2.bin", new int[] {3, 4}, SampleFiles.pixels(2, IMAGE));
        writeBatch("test_batch.bin", new int[] {5, 6, 7}, SampleFiles.pixels(3, IMAGE));
        DataSplit split = load(3, 1);
        assertArrayEquals(new int[] {1, 2, 3}, split.train().labels());
        assertArrayEquals(new int[] {5}, split.test().labels());
    }

    @Test
    void checkFindsABadLengthWithoutReadingRecords() {
        writeBatch("test_batch.bin", new int[] {1}, SampleFiles.pixels(1, IMAGE));
        SampleFiles.write(root.resolve("cifar"), "data_batch_3.bin", new byte[RECORD + 1], false);
        assertEquals(Optional.of("cifar/data_batch_3.bin: 3074 bytes is not a whole number of 3073-byte CIFAR-10"
                + " records"), DatasetLoader.check(new DatasetSpec("cifar10", "cifar", Augmentation.NONE, 0, 0), root));
    }
}
