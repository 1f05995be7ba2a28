package io.penni.api.job;

import java.util.Objects;

/**
 * The named, versioned preset a request was completed from.
 *
 * @param name the recipe's name, e.g. {@code fast}
 * @param version its version, from 1
 */
public record Recipe(String name, int version) {

    /** Checks the fields. */
    public Recipe {
        Objects.requireNonNull(name, "name");
        if (version < 1) {
            throw new IllegalArgumentException("a recipe's version is >= 1, was " + version);
        }
    }

    /** @return {@code name@version}, as the report and the forwarded request write it */
    @Override
    public String toString() {
        return name + "@" + version;
    }
}
