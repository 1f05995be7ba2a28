package io.penni.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.job.Augmentation;
import io.penni.api.job.DatasetSpec;

/** Fashion-MNIST / MNIST IDX files, generated small, read back exactly; damaged files are named. */
class IdxLoadingTest {

    @TempDir
    Path root;

    private static DatasetSpec spec(String format, int trainLimit, int testLimit) {
        return new DatasetSpec(format, "idx", Augmentation.NONE, trainLimit, testLimit);
    }

    private DataSplit load() {
        return DatasetLoader.load(spec("fashion-mnist", 0, 0), root);
    }

    @Test
    void gzippedFilesReadBackExactly() {
        SampleFiles.writeIdxSet(root.resolve("idx"), 7, 3, 4, 5, true);
        DataSplit split = load();
        assertEquals(7, split.train().count());
        assertEquals(3, split.test().count());
        assertEquals("1×4×5", split.train().shape());
        assertArrayEquals(SampleFiles.pixels(7, 20), split.train().pixels());
        assertArrayEquals(SampleFiles.labels(7, 10), split.train().labels());
        assertArrayEquals(SampleFiles.pixels(3, 20), split.test().pixels());
        assertArrayEquals(SampleFiles.labels(3, 10), split.test().labels());
    }

    @Test
    void rawFilesReadBackExactly() {
        SampleFiles.writeIdxSet(root.resolve("idx"), 6, 2, 3, 3, false);
        DataSplit split = load();
        assertArrayEquals(SampleFiles.pixels(6, 9), split.train().pixels());
        assertArrayEquals(SampleFiles.labels(2, 10), split.test().labels());
    }

    @Test
    void fashionMnistClassesAreNamed() {
        SampleFiles.writeIdxSet(root.resolve("idx"), 2, 2, 2, 2, false);
        List<String> names = load().train().classNames();
        assertEquals(10, names.size());
        assertEquals("T-shirt/top", names.get(0));
        assertEquals("Ankle boot", names.get(9));
    }

    @Test
    void mnistClassesAreDigits() {
        SampleFiles.writeIdxSet(root.resolve("idx"), 2, 2, 2, 2, false);
        DataSplit split = DatasetLoader.load(spec("mnist", 0, 0), root);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), split.train().classNames());
    }

    @Test
    void truncatedRawImageFileIsNamedWithExpectedAndPresentBytes() throws IOException {
        SampleFiles.writeIdxSet(root.resolve("idx"), 5, 2, 4, 4, false);
        Path images = root.resolve("idx/train-images-idx3-ubyte");
        byte[] whole = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(whole, whole.length - 10));
        DatasetException e = assertThrows(DatasetException.class, this::load);
        assertEquals("idx/train-images-idx3-ubyte: truncated: its header promises 96 bytes, the file holds 86",
                e.getMessage());
    }

    @Test
    void truncatedGzipImageFileIsNamedWithExpectedAndPresentBytes() throws IOException {
        SampleFiles.writeIdxSet(root.resolve("idx"), 5, 2, 4, 4, false);
        byte[] whole = SampleFiles.idxImages(5, 4, 4, SampleFiles.pixels(5, 16));
        Files.delete(root.resolve("idx/train-images-idx3-ubyte"));
        // a complete gzip stream of the first 50 bytes: the file ends cleanly but too early
        SampleFiles.write(root.resolve("idx"), "train-images-idx3-ubyte", Arrays.copyOf(whole, 50), true);
        DatasetException e = assertThrows(DatasetException.class, this::load);
        assertEquals("idx/train-images-idx3-ubyte.gz: truncated: its header promises 96 bytes uncompressed,"
                + " the file holds 50", e.getMessage());
    }

    @Test
    void gzipFileCutMidStreamIsReportedAsTruncated() throws IOException {
        SampleFiles.writeIdxSet(root.resolve("idx"), 200, 2, 28, 28, true);
        Path images = root.resolve("idx/train-images-idx3-ubyte.gz");
        byte[] whole = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(whole, whole.length / 2));
        DatasetException e = assertThrows(DatasetException.class, this::load);
        assertTrue(e.getMessage().startsWith("idx/train-images-idx3-ubyte.gz: truncated: its header promises 156816"
                + " bytes uncompressed, the file holds "), e.getMessage());
    }

    @Test
    void wrongMagicNumberIsRefused() throws IOException {
        SampleFiles.writeIdxSet(root.resolve("idx"), 3, 2, 2, 2, false);
        // a label file where the images should be
        Files.copy(root.resolve("idx/train-labels-idx1-ubyte"), root.resolve("idx/train-images-idx3-ubyte"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        DatasetException e = assertThrows(DatasetException.class, this::load);
        assertEquals("idx/train-images-idx3-ubyte: not an IDX image file: magic number 0x00000801, expected"
                + " 0x00000803", e.getMessage());
    }

    @Test
    void imageAndLabelCountsMustAgree() {
        Path folder = root.resolve("idx");
        SampleFiles.writeIdxSet(folder, 4, 2, 2, 2, false);
        SampleFiles.write(folder, "train-labels-idx1-ubyte", SampleFiles.idxLabels(SampleFiles.labels(3, 10)), false);
        DatasetException e = assertThrows(DatasetException.class, this::load);
        assertEquals("idx/train-images-idx3-ubyte has 4 images but idx/train-labels-idx1-ubyte has 3 labels",
                e.getMessage());
    }

    @Test
    void labelOutsideTheClassesIsRefused() {
        Path folder = root.resolve("idx");
        SampleFiles.writeIdxSet(folder, 3, 2, 2, 2, false);
        SampleFiles.write(folder, "t10k-labels-idx1-ubyte", SampleFiles.idxLabels(new int[] {1, 10}), false);
        DatasetException e = assertThrows(DatasetException.class, this::load);
        assertEquals("idx/t10k-labels-idx1-ubyte: label 10 of item 1 is outside 0..9 (fashion-mnist has 10"
                + " classes)", e.getMessage());
    }

    @Test
    void missingFileIsNamed() throws IOException {
        SampleFiles.writeIdxSet(root.resolve("idx"), 3, 2, 2, 2, true);
        Files.delete(root.resolve("idx/t10k-labels-idx1-ubyte.gz"));
        DatasetException e = assertThrows(DatasetException.class, this::load);
        assertEquals("idx: missing t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz)", e.getMessage());
    }

    @Test
    void limitsKeepTheFirstImagesOfEachSplit() {
        SampleFiles.writeIdxSet(root.resolve("idx"), 9, 6, 3, 2, true);
        DataSplit split = DatasetLoader.load(spec("fashion-mnist", 4, 5), root);
        assertArrayEquals(SampleFiles.pixels(4, 6), split.train().pixels());
        assertArrayEquals(SampleFiles.labels(4, 10), split.train().labels());
        assertArrayEquals(SampleFiles.pixels(5, 6), split.test().pixels());
    }

    @Test
    void checkFindsATruncatedRawFileWithoutLoading() throws IOException {
        SampleFiles.writeIdxSet(root.resolve("idx"), 3, 2, 2, 2, false);
        Path labels = root.resolve("idx/t10k-labels-idx1-ubyte");
        Files.write(labels, Arrays.copyOf(Files.readAllBytes(labels), 9));
        assertEquals(Optional.of("idx/t10k-labels-idx1-ubyte: truncated: its header promises 10 bytes, the file"
                + " holds 9"), DatasetLoader.check(spec("fashion-mnist", 0, 0), root));
    }

    @Test
    void checkPassesACompleteDataSet() {
        SampleFiles.writeIdxSet(root.resolve("idx"), 3, 2, 2, 2, true);
        assertFalse(DatasetLoader.check(spec("mnist", 0, 0), root).isPresent());
    }
}
