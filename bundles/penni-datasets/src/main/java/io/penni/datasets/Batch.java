package io.penni.datasets;

import java.util.Arrays;

/**
 * A batch of images ready for a network. Its arrays are allocated for this batch alone and belong to whoever
 * received it (the batch does not copy them, to keep a training step cheap).
 *
 * @param images {@code size × channels × height × width} floats (NCHW), scaled to 0..1 and normalised per channel
 * @param labels the images' labels, in the same order
 * @param size how many images the batch holds; only the last batch of an epoch may be smaller than asked for
 */
public record Batch(float[] images, int[] labels, int size) {
    /** Checks that the arrays hold {@code size} images. */
    public Batch {
        if (size < 1 || labels.length != size || images.length % size != 0) {
            throw new IllegalArgumentException("a batch of " + size + " images needs " + size + " labels and a"
                    + " multiple of " + size + " floats, got " + labels.length + " and " + images.length);
        }
    }

    /** Equal when the images and labels are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Batch b && size == b.size && Arrays.equals(labels, b.labels)
                && Arrays.equals(images, b.images);
    }

    /** A hash of the images and labels. */
    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(labels) + Arrays.hashCode(images);
    }

    /** The size and labels; never the pixels. */
    @Override
    public String toString() {
        return "Batch[size=" + size + ", labels=" + Arrays.toString(labels) + "]";
    }
}
