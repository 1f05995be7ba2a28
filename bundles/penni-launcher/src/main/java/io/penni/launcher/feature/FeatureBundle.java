package io.penni.launcher.feature;

import java.util.Objects;

/**
 * A bundle of a feature.
 *
 * @param id its Maven coordinates
 * @param startOrder when to start it: lower first (the OSGi start level); bundles that others need
 *        before they start, such as Declarative Services, use 1
 */
public record FeatureBundle(ArtifactCoordinates id, int startOrder) {
    /** The start order of a bundle that does not give one. */
    public static final int DEFAULT_START_ORDER = 10;

    /** Checks the fields. */
    public FeatureBundle {
        Objects.requireNonNull(id, "id");
        if (startOrder < 1) {
            throw new IllegalArgumentException("start-order of " + id + " must be >= 1, was " + startOrder);
        }
    }
}
