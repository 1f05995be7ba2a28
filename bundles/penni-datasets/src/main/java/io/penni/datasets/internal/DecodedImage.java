package io.penni.datasets.internal;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import io.penni.datasets.DatasetException;

/**
 * One decoded image as 8-bit planes: one grey plane, or red, green and blue planes. Alpha is dropped. Grey
 * images are read from their raster rather than converted through Java 2D, which would apply the grey colour
 * space's gamma and change the values.
 *
 * @param width columns
 * @param height rows
 * @param grey whether the image is grey (one plane) rather than colour (three)
 * @param planes {@code (grey ? 1 : 3) × height × width} bytes
 */
record DecodedImage(int width, int height, boolean grey, byte[] planes) {

    /** @return planes in the image */
    int channels() {
        return grey ? 1 : 3;
    }

    /**
     * @param file the image file (PNG or JPEG, or anything else javax.imageio reads)
     * @param shown the file's name for messages
     * @return the image
     * @throws DatasetException naming the file when it cannot be decoded
     */
    static DecodedImage read(Path file, String shown) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            // decoders report corrupt data with IIOException and, for some damage, runtime exceptions
            throw new DatasetException(shown + ": cannot be decoded as an image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new DatasetException(shown + ": not an image format javax.imageio can decode");
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int plane = width * height;
        if (isGrey(image)) {
            byte[] grey = new byte[plane];
            Raster raster = image.getRaster();
            int bits = image.getColorModel().getComponentSize(0);
            int max = (1 << bits) - 1;
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) {
                    int v = bits == 8 ? row[x] : (row[x] * 255 + max / 2) / max;
                    grey[y * width + x] = (byte) v;
                }
            }
            return new DecodedImage(width, height, true, grey);
        }
        if (image.getColorModel() instanceof IndexColorModel palette && greyPalette(palette)) {
            byte[] grey = new byte[plane];
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                image.getRGB(0, y, width, 1, row, 0, width);
                for (int x = 0; x < width; x++) {
                    grey[y * width + x] = (byte) (row[x] >> 16);
                }
            }
            return new DecodedImage(width, height, true, grey);
        }
        byte[] rgb = new byte[3 * plane];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0, p = y * width; x < width; x++, p++) {
                int argb = row[x];
                rgb[p] = (byte) (argb >> 16);
                rgb[plane + p] = (byte) (argb >> 8);
                rgb[2 * plane + p] = (byte) argb;
            }
        }
        return new DecodedImage(width, height, false, rgb);
    }

    /**
     * Reads only the header of an image.
     *
     * @param file the image file
     * @param shown the file's name for messages
     * @return {@code {width, height}}
     * @throws DatasetException naming the file when no decoder accepts it
     */
    static int[] size(Path file, String shown) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new DatasetException(shown + ": not an image format javax.imageio can decode");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DatasetException d) {
                throw d;
            }
            throw new DatasetException(shown + ": cannot be decoded as an image: " + e.getMessage(), e);
        }
    }

    /**
     * Scales the image so that its shorter side is {@code size}, then keeps the centre
     * {@code size × size} square.
     *
     * @param size the side of the result
     * @return the square image
     */
    DecodedImage squared(int size) {
        if (width == size && height == size) {
            return this;
        }
        return new DecodedImage(size, size, grey, Resampler.scaleAndCrop(planes, channels(), height, width, size));
    }

    private static boolean isGrey(BufferedImage image) {
        return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && !(image.getColorModel() instanceof IndexColorModel);
    }

    private static boolean greyPalette(IndexColorModel palette) {
        for (int i = 0; i < palette.getMapSize(); i++) {
            if (palette.getRed(i) != palette.getGreen(i) || palette.getRed(i) != palette.getBlue(i)) {
                return false;
            }
        }
        return true;
    }
}
