package io.penni.serving.internal;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A model of the repository by name: the version serving it now (swapped atomically by the repository's scan),
 * the versions on disk, and why the newest one did not load, if it did not.
 */
final class ServedModel {

    /**
     * A version on disk and what became of it.
     *
     * @param version the folder's name
     * @param state {@code READY}, {@code UNAVAILABLE} (superseded or not loaded yet) or {@code FAILED}
     * @param reason why it is not ready; empty when it is
     */
    record VersionState(String version, String state, String reason) {
    }

    private final String name;
    private final AtomicReference<ModelVersion> current = new AtomicReference<>();
    private volatile List<VersionState> versions = List.of();

    /**
     * A model with no version served yet.
     *
     * @param name the folder's name
     */
    ServedModel(String name) {
        this.name = name;
    }

    /** @return the model's name */
    String name() {
        return name;
    }

    /** @return the version serving now, if one is */
    Optional<ModelVersion> current() {
        return Optional.ofNullable(current.get());
    }

    /**
     * Serves another version from now on.
     *
     * @param next the version to serve, or null for none
     * @return the version served before, if any
     */
    Optional<ModelVersion> swap(ModelVersion next) {
        return Optional.ofNullable(current.getAndSet(next));
    }

    /** @return the versions on disk, newest first, with their states */
    List<VersionState> versions() {
        return versions;
    }

    void versions(List<VersionState> states) {
        versions = List.copyOf(states);
    }
}
