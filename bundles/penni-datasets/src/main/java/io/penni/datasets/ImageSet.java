package io.penni.datasets;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Labelled images in memory, as unsigned bytes. The set is immutable: the constructor copies the arrays and
 * {@link #pixels()} and {@link #labels()} return copies, so for reading one image at a time use
 * {@link #copyImage(int, byte[], int)} and {@link #label(int)}, which copy nothing else.
 *
 * @param name what the set is, for messages and reports (e.g. {@code fashion-mnist/train})
 * @param channels channels per image (1 grey, 3 RGB)
 * @param height rows per image
 * @param width columns per image
 * @param classNames the classes' names; a label is an index into this list
 * @param pixels {@code count × channels × height × width} bytes, each image channel-major (all of channel 0's
 *        rows, then channel 1's, ...), 0 black to 255 full intensity
 * @param labels one label per image, each in {@code 0 .. classNames.size() - 1}
 */
public record ImageSet(String name, int channels, int height, int width, List<String> classNames, byte[] pixels,
        int[] labels) {

    /** Checks shapes and labels and copies the arrays. */
    public ImageSet {
        Objects.requireNonNull(name, "name");
        classNames = List.copyOf(classNames);
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(name + ": channels, height and width must be >= 1, were "
                    + channels + "×" + height + "×" + width);
        }
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException(name + ": no classes");
        }
        long expected = (long) labels.length * channels * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(name + ": " + labels.length + " images of " + channels + "×" + height
                    + "×" + width + " need " + expected + " pixel bytes, got " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of image " + i
                        + " is outside 0.." + (classNames.size() - 1));
            }
        }
        pixels = pixels.clone();
        labels = labels.clone();
    }

    /** @return how many images the set holds */
    public int count() {
        return labels.length;
    }

    /** @return how many classes there are */
    public int classes() {
        return classNames.size();
    }

    /** @return bytes per image: {@code channels × height × width} */
    public int imageBytes() {
        return channels * height * width;
    }

    /** @return the image shape as {@code C×H×W}, for messages */
    public String shape() {
        return channels + "×" + height + "×" + width;
    }

    /** @return a copy of every image's bytes */
    @Override
    public byte[] pixels() {
        return pixels.clone();
    }

    /** @return a copy of every image's label */
    @Override
    public int[] labels() {
        return labels.clone();
    }

    /**
     * @param index the image, {@code 0 .. count() - 1}
     * @return its label
     */
    public int label(int index) {
        return labels[index];
    }

    /**
     * Copies one image's {@link #imageBytes()} bytes into {@code target}.
     *
     * @param index the image, {@code 0 .. count() - 1}
     * @param target where to write
     * @param offset the first index written in {@code target}
     */
    public void copyImage(int index, byte[] target, int offset) {
        Objects.checkIndex(index, labels.length);
        int size = imageBytes();
        System.arraycopy(pixels, index * size, target, offset, size);
    }

    /** @return how many images each class has, indexed by label */
    public int[] classCounts() {
        int[] counts = new int[classNames.size()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * The first images of this set.
     *
     * @param limit how many images to keep; 0, or more than {@link #count()}, keeps all
     * @return a set of the first {@code limit} images, or this set
     */
    public ImageSet first(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException(name + ": limit must be >= 0, was " + limit);
        }
        if (limit == 0 || limit >= count()) {
            return this;
        }
        return new ImageSet(name, channels, height, width, classNames,
                Arrays.copyOf(pixels, limit * imageBytes()), Arrays.copyOf(labels, limit));
    }

    /** Equal when names, shapes, classes, pixels and labels are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ImageSet set && name.equals(set.name) && channels == set.channels
                && height == set.height && width == set.width && classNames.equals(set.classNames)
                && Arrays.equals(labels, set.labels) && Arrays.equals(pixels, set.pixels);
    }

    /** A hash of the same fields {@link #equals(Object)} compares. */
    @Override
    public int hashCode() {
        return Objects.hash(name, channels, height, width, classNames, Arrays.hashCode(labels),
                Arrays.hashCode(pixels));
    }

    /** A summary: the name, count, shape and classes; never the pixels. */
    @Override
    public String toString() {
        return "ImageSet[" + name + ": " + count() + " images of " + shape() + ", " + classes() + " classes]";
    }
}
