package io.penni.datasets.internal;

import java.util.Arrays;

import io.penni.api.job.Augmentation;
import io.penni.datasets.Batch;
import io.penni.datasets.ImageSet;
import io.penni.datasets.Normalization;

/**
 * Turns images of a set into a normalised NCHW float batch, applying the random crop and flip. Each channel
 * has a 256-entry table from byte to normalised float, so a pixel costs one table look-up and nothing is
 * allocated per pixel. Crop and flip are done while copying: an output row reads a shifted (and, flipped,
 * reversed) source row, and positions that fall in the padding get the value of a black pixel, as when the
 * uint8 image is zero-padded before normalising.
 */
public final class BatchWriter {
    private final ImageSet set;
    private final int channels;
    private final int height;
    private final int width;
    private final float[][] table;
    private final int padding;
    private final boolean flip;
    private final long key;

    /**
     * @param set the images
     * @param normalization per-channel normalisation, one channel per image channel
     * @param augmentation crop and flip; {@link Augmentation#NONE} for none
     * @param key the epoch's augmentation key (unused without augmentation)
     */
    public BatchWriter(ImageSet set, Normalization normalization, Augmentation augmentation, long key) {
        this.set = set;
        this.channels = set.channels();
        this.height = set.height();
        this.width = set.width();
        this.padding = augmentation.cropPadding();
        this.flip = augmentation.horizontalFlip();
        this.key = key;
        this.table = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            for (int v = 0; v < 256; v++) {
                table[c][v] = normalization.apply(c, v);
            }
        }
    }

    /**
     * @param order the epoch's image order
     * @param from the first position of the batch in {@code order}
     * @param size how many images
     * @return the batch
     */
    public Batch write(int[] order, int from, int size) {
        int imageBytes = set.imageBytes();
        byte[] source = new byte[imageBytes];
        float[] images = new float[size * imageBytes];
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            int image = order[from + i];
            set.copyImage(image, source, 0);
            labels[i] = set.label(image);
            int dy = 0;
            int dx = 0;
            boolean mirror = false;
            if (padding > 0 || flip) {
                long bits = EpochOrder.draw(key, from + i);
                if (padding > 0) {
                    int range = 2 * padding + 1;
                    dy = uniform(bits, range) - padding;
                    dx = uniform(bits >>> 32, range) - padding;
                }
                // the offsets use bits 0-30 and 32-62, so the sign bit is free for the flip
                mirror = flip && bits < 0;
            }
            writeImage(source, dy, dx, mirror, images, i * imageBytes);
        }
        return new Batch(images, labels, size);
    }

    /**
     * Writes one image, shifted by {@code (dy, dx)} with black filling what comes from outside the image and
     * then mirrored left-right if asked: the result of padding, cropping at offset {@code (dy + p, dx + p)} and
     * flipping.
     */
    private void writeImage(byte[] source, int dy, int dx, boolean mirror, float[] out, int offset) {
        for (int c = 0; c < channels; c++) {
            float[] lut = table[c];
            float black = lut[0];
            int plane = c * height * width;
            for (int y = 0; y < height; y++) {
                int row = offset + plane + y * width;
                int sy = y + dy;
                if (sy < 0 || sy >= height) {
                    Arrays.fill(out, row, row + width, black);
                    continue;
                }
                int in = plane + sy * width;
                if (mirror) {
                    // out x reads source column width - 1 - x + dx
                    int lo = Math.min(width, Math.max(0, dx));
                    int hi = Math.max(lo, Math.min(width, width + dx));
                    Arrays.fill(out, row, row + lo, black);
                    for (int x = lo, sx = in + width - 1 - lo + dx; x < hi; x++, sx--) {
                        out[row + x] = lut[source[sx] & 0xff];
                    }
                    Arrays.fill(out, row + hi, row + width, black);
                } else {
                    // out x reads source column x + dx
                    int lo = Math.min(width, Math.max(0, -dx));
                    int hi = Math.max(lo, Math.min(width, width - dx));
                    Arrays.fill(out, row, row + lo, black);
                    for (int x = lo, sx = in + lo + dx; x < hi; x++, sx++) {
                        out[row + x] = lut[source[sx] & 0xff];
                    }
                    Arrays.fill(out, row + hi, row + width, black);
                }
            }
        }
    }

    // an integer in 0 .. range - 1 from the low 31 bits, by multiply-shift rather than a biased modulo
    private static int uniform(long bits, int range) {
        return (int) (((bits & 0x7FFFFFFFL) * range) >>> 31);
    }
}
