package io.penni.datasets;

import java.util.Objects;

/**
 * A data set's training and test images. Both have the same image shape and classes.
 *
 * @param train the images to train on
 * @param test the images to evaluate on
 */
public record DataSplit(ImageSet train, ImageSet test) {
    /** Checks that both halves have one shape and one list of classes. */
    public DataSplit {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (train.channels() != test.channels() || train.height() != test.height() || train.width() != test.width()) {
            throw new IllegalArgumentException("train images are " + train.shape() + " but test images are "
                    + test.shape());
        }
        if (!train.classNames().equals(test.classNames())) {
            throw new IllegalArgumentException("train and test have different classes: " + train.classNames()
                    + " and " + test.classNames());
        }
    }
}
