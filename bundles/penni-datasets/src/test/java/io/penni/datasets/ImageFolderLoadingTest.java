package io.penni.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.job.Augmentation;
import io.penni.api.job.DatasetSpec;

/** ImageNet-style folders of generated PNG and JPEG files. */
class ImageFolderLoadingTest {
    private static final int RED = 0xFF0000;
    private static final int GREEN = 0x00FF00;
    private static final int BLUE = 0x0000FF;

    @TempDir
    Path root;

    private Path train(String label) {
        return root.resolve("images/train").resolve(label);
    }

    private Path test(String label) {
        return root.resolve("images/test").resolve(label);
    }

    private DataSplit load(int imageSize, int trainLimit) {
        return DatasetLoader.load(new DatasetSpec("image-folder", "images", Augmentation.NONE, trainLimit, 0,
                imageSize), root);
    }

    /** Channel {@code c} of pixel (y, x) of image {@code index}. */
    private static int pixel(ImageSet set, int index, int c, int y, int x) {
        byte[] image = new byte[set.imageBytes()];
        set.copyImage(index, image, 0);
        return image[(c * set.height() + y) * set.width() + x] & 0xff;
    }

    private static BufferedImage grey(int width, int height, int value) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, value);
            }
        }
        return image;
    }

    @Test
    void pngAndJpegImagesTakeTheirFolderAsClass() {
        SampleFiles.writeImage(train("cat"), "a.png", SampleFiles.solid(6, 6, RED), "png");
        SampleFiles.writeImage(train("cat"), "b.jpg", SampleFiles.solid(6, 6, RED), "jpg");
        SampleFiles.writeImage(train("dog"), "c.png", SampleFiles.solid(6, 6, BLUE), "png");
        SampleFiles.writeImage(test("dog"), "d.jpeg", SampleFiles.solid(6, 6, BLUE), "jpg");
        DataSplit split = load(0, 0);
        ImageSet train = split.train();
        assertEquals(List.of("cat", "dog"), train.classNames());
        assertEquals("3×6×6", train.shape());
        // round-robin over classes: cat/a.png, dog/c.png, cat/b.jpg
        assertArrayEquals(new int[] {0, 1, 0}, train.labels());
        assertEquals(255, pixel(train, 0, 0, 3, 3));
        assertEquals(0, pixel(train, 0, 2, 3, 3));
        assertEquals(255, pixel(train, 1, 2, 3, 3));
        // JPEG is lossy: the red image comes back nearly red
        assertTrue(pixel(train, 2, 0, 3, 3) > 240 && pixel(train, 2, 2, 3, 3) < 15, "jpeg red");
        assertArrayEquals(new int[] {1}, split.test().labels());
        assertTrue(pixel(split.test(), 0, 2, 3, 3) > 240, "jpeg blue");
    }

    @Test
    void imageSizeScalesTheShorterSideThenCropsTheCentre() {
        // 40×20: a green stripe (x < 4) that the crop must remove, red up to x = 20, blue after
        BufferedImage image = SampleFiles.solid(40, 20, BLUE);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                image.setRGB(x, y, x < 4 ? GREEN : RED);
            }
        }
        SampleFiles.writeImage(train("a"), "wide.png", image, "png");
        SampleFiles.writeImage(test("a"), "square.png", SampleFiles.solid(30, 30, RED), "png");
        DataSplit split = load(10, 0);
        ImageSet train = split.train();
        assertEquals("3×10×10", train.shape());
        // scaled to 20×10, columns 5..14 kept: red on the left, blue on the right, no green
        assertEquals(255, pixel(train, 0, 0, 5, 0));
        assertEquals(0, pixel(train, 0, 2, 5, 0));
        assertEquals(255, pixel(train, 0, 2, 5, 9));
        assertEquals(0, pixel(train, 0, 0, 5, 9));
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 10; x++) {
                assertEquals(0, pixel(train, 0, 1, y, x), "green at " + y + "," + x);
            }
        }
        assertEquals("3×10×10", split.test().shape());
        assertEquals(255, pixel(split.test(), 0, 0, 9, 9));
    }

    @Test
    void greyImagesStayOneChannelWithTheirValues() {
        SampleFiles.writeImage(train("a"), "1.png", grey(4, 4, 17), "png");
        SampleFiles.writeImage(test("a"), "2.png", grey(4, 4, 200), "png");
        DataSplit split = load(0, 0);
        assertEquals("1×4×4", split.train().shape());
        assertEquals(17, pixel(split.train(), 0, 0, 2, 2));
        assertEquals(200, pixel(split.test(), 0, 0, 0, 0));
    }

    @Test
    void greyAmongColourImagesBecomesRgbWithEqualChannels() {
        SampleFiles.writeImage(train("a"), "1.png", grey(4, 4, 90), "png");
        SampleFiles.writeImage(test("a"), "2.png", SampleFiles.solid(4, 4, GREEN), "png");
        ImageSet train = load(0, 0).train();
        assertEquals("3×4×4", train.shape());
        for (int c = 0; c < 3; c++) {
            assertEquals(90, pixel(train, 0, c, 1, 1));
        }
    }

    @Test
    void undecodableImageIsNamed() throws IOException {
        SampleFiles.writeImage(train("a"), "1.png", SampleFiles.solid(4, 4, RED), "png");
        Files.write(train("a").resolve("2.png"), new byte[] {1, 2, 3, 4, 5});
        SampleFiles.writeImage(test("a"), "3.png", SampleFiles.solid(4, 4, RED), "png");
        DatasetException e = assertThrows(DatasetException.class, () -> load(0, 0));
        assertEquals("images/train/a/2.png: not an image format javax.imageio can decode", e.getMessage());
    }

    @Test
    void emptyClassFolderIsRefused() throws IOException {
        SampleFiles.writeImage(train("a"), "1.png", SampleFiles.solid(4, 4, RED), "png");
        Files.createDirectories(train("b"));
        SampleFiles.writeImage(test("a"), "3.png", SampleFiles.solid(4, 4, RED), "png");
        DatasetException e = assertThrows(DatasetException.class, () -> load(0, 0));
        assertEquals("images/train/b: empty class folder (no .png, .jpg or .jpeg)", e.getMessage());
    }

    @Test
    void testClassWithoutTrainingFolderIsRefused() {
        SampleFiles.writeImage(train("a"), "1.png", SampleFiles.solid(4, 4, RED), "png");
        SampleFiles.writeImage(test("z"), "3.png", SampleFiles.solid(4, 4, RED), "png");
        DatasetException e = assertThrows(DatasetException.class, () -> load(0, 0));
        assertEquals("images/test/z: class 'z' has no folder in images/train", e.getMessage());
    }

    @Test
    void differentSizesWithoutImageSizeAreRefused() {
        SampleFiles.writeImage(train("a"), "1.png", SampleFiles.solid(4, 4, RED), "png");
        SampleFiles.writeImage(train("a"), "2.png", SampleFiles.solid(5, 4, RED), "png");
        SampleFiles.writeImage(test("a"), "3.png", SampleFiles.solid(4, 4, RED), "png");
        DatasetException e = assertThrows(DatasetException.class, () -> load(0, 0));
        assertEquals("images/train/a/2.png: 5×4 pixels, but the first training image is 4×4 (set imageSize to"
                + " scale every image to one size)", e.getMessage());
    }

    @Test
    void limitTakesImagesRoundRobinAcrossClasses() {
        for (String label : List.of("a", "b")) {
            for (int i = 0; i < 3; i++) {
                SampleFiles.writeImage(train(label), i + ".png", SampleFiles.solid(2, 2, RED), "png");
            }
        }
        SampleFiles.writeImage(test("a"), "t.png", SampleFiles.solid(2, 2, RED), "png");
        assertArrayEquals(new int[] {0, 1, 0}, load(0, 3).train().labels());
    }

    @Test
    void checkReadsOnlyHeadersButFindsAFileThatIsNoImage() throws IOException {
        Files.createDirectories(train("a"));
        Files.write(train("a").resolve("1.png"), new byte[] {1, 2, 3, 4, 5});
        SampleFiles.writeImage(test("a"), "2.png", SampleFiles.solid(4, 4, RED), "png");
        DatasetSpec spec = new DatasetSpec("image-folder", "images", Augmentation.NONE, 0, 0, 0);
        assertEquals(Optional.of("images/train/a/1.png: not an image format javax.imageio can decode"),
                DatasetLoader.check(spec, root));
    }

    @Test
    void checkPassesAValidFolder() {
        SampleFiles.writeImage(train("a"), "1.png", SampleFiles.solid(4, 4, RED), "png");
        SampleFiles.writeImage(test("a"), "2.jpg", SampleFiles.solid(4, 4, RED), "jpg");
        DatasetSpec spec = new DatasetSpec("image-folder", "images", Augmentation.NONE, 0, 0, 0);
        assertEquals(Optional.empty(), DatasetLoader.check(spec, root));
    }
}
