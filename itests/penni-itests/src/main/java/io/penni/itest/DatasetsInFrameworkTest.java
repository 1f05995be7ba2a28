package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.job.Augmentation;
import io.penni.api.job.DatasetSpec;
import io.penni.datasets.Batch;
import io.penni.datasets.Batches;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetLoader;
import io.penni.datasets.Normalization;

/**
 * The datasets bundle inside the container: javax.imageio decodes PNG and JPEG from a bundle (the JDK's
 * decoders through the system bundle), and the installed Fashion-MNIST loads and batches.
 */
class DatasetsInFrameworkTest {

    @TempDir
    Path root;

    private static void write(Path folder, String name, int rgb, String format) throws IOException {
        Files.createDirectories(folder);
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        assertTrue(ImageIO.write(image, format, folder.resolve(name).toFile()), "no " + format + " writer");
    }

    @Test
    void anImageFolderOfPngAndJpegDecodesInsideTheFramework() throws IOException {
        write(root.resolve("pics/train/blue"), "1.png", 0x0000FF, "png");
        write(root.resolve("pics/train/red"), "2.jpg", 0xFF0000, "jpg");
        write(root.resolve("pics/test/red"), "3.png", 0xFF0000, "png");
        DataSplit split = DatasetLoader.load(new DatasetSpec("image-folder", "pics", Augmentation.NONE, 0, 0, 4),
                root);
        assertEquals(List.of("blue", "red"), split.train().classNames());
        assertEquals("3×4×4", split.train().shape());
        assertArrayEquals(new int[] {0, 1}, split.train().labels());
        // the red JPEG: red plane bright, blue plane dark
        byte[] image = new byte[split.train().imageBytes()];
        split.train().copyImage(1, image, 0);
        assertTrue((image[0] & 0xff) > 240 && (image[2 * 16] & 0xff) < 15, "red after decoding");
    }

    @Test
    void installedFashionMnistLoadsAndBatches() {
        DataSplit split = DatasetLoader.load(new DatasetSpec("fashion-mnist", "fashion-mnist", new Augmentation(2, true),
                1000, 100), Path.of("/usr/share/datasets"));
        Batch batch = Batches.training(split.train(), Normalization.of(split.train()), new Augmentation(2, true), 128,
                1, 0).next();
        assertEquals(128, batch.size());
        assertEquals(128 * 28 * 28, batch.images().length);
    }
}
