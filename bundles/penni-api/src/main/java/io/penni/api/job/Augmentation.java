package io.penni.api.job;

/**
 * Training-time augmentation of a data set.
 *
 * @param cropPadding pixels of zero padding before a random crop back to the original size (0: no crop)
 * @param horizontalFlip whether images are mirrored left-right with probability 1/2
 */
public record Augmentation(int cropPadding, boolean horizontalFlip) {
    /** No augmentation. */
    public static final Augmentation NONE = new Augmentation(0, false);

    /** Checks the fields. */
    public Augmentation {
        if (cropPadding < 0) {
            throw new IllegalArgumentException("cropPadding must be >= 0, was " + cropPadding);
        }
    }
}
