package io.penni.api.job;

import java.util.Objects;

/**
 * The data a job trains and evaluates on.
 *
 * @param format one of {@code fashion-mnist}, {@code mnist}, {@code cifar10}, {@code image-folder}
 * @param path the folder holding the data set's files, relative to the configured data root; a path that leads
 *        outside the data root (through {@code ..}, an absolute path or a symbolic link) is refused
 * @param augmentation training-time augmentation
 * @param trainLimit use only the first this many training images (0: all)
 * @param testLimit use only the first this many test images (0: all)
 * @param imageSize for {@code image-folder} only: 0 keeps the first image's size and requires every image to have
 *        it; a positive size scales each image so that its shorter side is this long, then crops the centre
 *        square of {@code imageSize × imageSize}. The other formats have a fixed size and ignore it.
 */
public record DatasetSpec(String format, String path, Augmentation augmentation, int trainLimit, int testLimit,
        int imageSize) {
    /** Checks the fields. */
    public DatasetSpec {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(augmentation, "augmentation");
        if (trainLimit < 0 || testLimit < 0) {
            throw new IllegalArgumentException("trainLimit and testLimit must be >= 0");
        }
        if (imageSize < 0) {
            throw new IllegalArgumentException("imageSize must be >= 0, was " + imageSize);
        }
    }

    /**
     * A data set whose images keep their size (imageSize 0), as every format but {@code image-folder} needs.
     *
     * @param format the format's name
     * @param path the folder, relative to the data root
     * @param augmentation training-time augmentation
     * @param trainLimit use only the first this many training images (0: all)
     * @param testLimit use only the first this many test images (0: all)
     */
    public DatasetSpec(String format, String path, Augmentation augmentation, int trainLimit, int testLimit) {
        this(format, path, augmentation, trainLimit, testLimit, 0);
    }
}
