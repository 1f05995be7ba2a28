package io.penni.datasets;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import javax.imageio.ImageIO;

/** Writes small data set files of each format for tests, with pixels the tests can predict. */
final class SampleFiles {

    private SampleFiles() {
    }

    /** A deterministic, varied pixel value for image {@code image}, byte {@code index}. */
    static byte pixel(int image, int index) {
        return (byte) (image * 37 + index * 11 + 5);
    }

    /** {@code count} images of {@code bytesPerImage} bytes made of {@link #pixel(int, int)}. */
    static byte[] pixels(int count, int bytesPerImage) {
        byte[] pixels = new byte[count * bytesPerImage];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < bytesPerImage; j++) {
                pixels[i * bytesPerImage + j] = pixel(i, j);
            }
        }
        return pixels;
    }

    /** An IDX image file: magic 0x803, count, rows, columns, pixels. */
    static byte[] idxImages(int count, int rows, int columns, byte[] pixels) {
        return idx(0x00000803, new int[] {count, rows, columns}, pixels);
    }

    /** An IDX label file: magic 0x801, count, labels. */
    static byte[] idxLabels(int[] labels) {
        byte[] bytes = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            bytes[i] = (byte) labels[i];
        }
        return idx(0x00000801, new int[] {labels.length}, bytes);
    }

    static byte[] idx(int magic, int[] dimensions, byte[] body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int d : dimensions) {
                out.writeInt(d);
            }
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Labels 0, 1, 2, ... wrapping at {@code classes}. */
    static int[] labels(int count, int classes) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % classes;
        }
        return labels;
    }

    /**
     * Writes a complete IDX data set: {@code train} and {@code test} images of {@code rows × columns}, labels
     * {@code i % 10}, every file gzip-compressed or raw.
     */
    static void writeIdxSet(Path folder, int train, int test, int rows, int columns, boolean gzip) {
        write(folder, "train-images-idx3-ubyte", idxImages(train, rows, columns, pixels(train, rows * columns)), gzip);
        write(folder, "train-labels-idx1-ubyte", idxLabels(labels(train, 10)), gzip);
        write(folder, "t10k-images-idx3-ubyte", idxImages(test, rows, columns, pixels(test, rows * columns)), gzip);
        write(folder, "t10k-labels-idx1-ubyte", idxLabels(labels(test, 10)), gzip);
    }

    /** Writes {@code data} as {@code name}, or gzip-compressed as {@code name.gz}. */
    static Path write(Path folder, String name, byte[] data, boolean gzip) {
        try {
            Files.createDirectories(folder);
            Path file = folder.resolve(gzip ? name + ".gz" : name);
            Files.write(file, gzip ? gzip(data) : data);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CIFAR-10 records: per image a label byte, then its 3072 pixel bytes (red, green and blue planes). */
    static byte[] cifarRecords(int[] labels, byte[] pixels) {
        int image = 3 * 32 * 32;
        byte[] records = new byte[labels.length * (image + 1)];
        for (int i = 0; i < labels.length; i++) {
            records[i * (image + 1)] = (byte) labels[i];
            System.arraycopy(pixels, i * image, records, i * (image + 1) + 1, image);
        }
        return records;
    }

    /** A solid colour image ({@code rgb} as 0xRRGGBB). */
    static BufferedImage solid(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    /** Writes an image in a format javax.imageio writes ({@code png}, {@code jpg}). */
    static Path writeImage(Path folder, String name, BufferedImage image, String format) {
        try {
            Files.createDirectories(folder);
            Path file = folder.resolve(name);
            if (!ImageIO.write(image, format, file.toFile())) {
                throw new IllegalStateException("no writer for " + format);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
