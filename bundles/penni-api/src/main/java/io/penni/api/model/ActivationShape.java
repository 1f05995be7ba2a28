package io.penni.api.model;

/**
 * The shape of one image's activations between layers, channels × height × width. After {@link Layer.Flatten}
 * or {@link Layer.Linear} it is {@code features × 1 × 1}.
 *
 * @param channels channels (or features)
 * @param height height in pixels
 * @param width width in pixels
 */
public record ActivationShape(int channels, int height, int width) {
    /** Checks the fields. */
    public ActivationShape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "activation shape must be positive, was " + channels + "x" + height + "x" + width);
        }
    }

    /** @return values per image */
    public long size() {
        return (long) channels * height * width;
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
