package io.penni.api.job;

import java.util.Objects;

/**
 * The data a job trains and evaluates on.
 *
 * @param format one of {@code fashion-mnist}, {@code mnist}, {@code cifar10}, {@code image-folder}
 * @param path the folder holding the data set's files, under the configured data root
 * @param augmentation training-time augmentation
 * @param trainLimit use only the first this many training images (0: all)
 * @param testLimit use only the first this many test images (0: all)
 */
public record DatasetSpec(String format, String path, Augmentation augmentation, int trainLimit, int testLimit) {
    /** Checks the fields. */
    public DatasetSpec {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(augmentation, "augmentation");
        if (trainLimit < 0 || testLimit < 0) {
            throw new IllegalArgumentException("trainLimit and testLimit must be >= 0");
        }
    }
}
