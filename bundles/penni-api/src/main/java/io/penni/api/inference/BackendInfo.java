package io.penni.api.inference;

import java.util.Objects;

/**
 * What an inference backend is.
 *
 * @param name the name requests use, e.g. {@code cpu}
 * @param device the device it runs on, e.g. {@code 2 CPU cores, AVX-512}
 * @param threads threads it uses
 */
public record BackendInfo(String name, String device, int threads) {
    /** Checks the fields. */
    public BackendInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(device, "device");
    }
}
