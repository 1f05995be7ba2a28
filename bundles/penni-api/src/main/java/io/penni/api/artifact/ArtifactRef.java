package io.penni.api.artifact;

import java.net.URI;
import java.util.Objects;

/**
 * A file a job produced, as events and reports carry it.
 *
 * @param uri where the artifact store keeps it
 * @param sha256 lowercase hex SHA-256 of its bytes, so a reader can check what it got
 * @param size its length in bytes
 */
public record ArtifactRef(URI uri, String sha256, long size) {
    /** Checks the fields. */
    public ArtifactRef {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(sha256, "sha256");
        if (size < 0) {
            throw new IllegalArgumentException("artifact size must be >= 0, was " + size);
        }
    }
}
