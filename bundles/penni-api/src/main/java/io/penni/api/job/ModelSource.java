package io.penni.api.job;

import java.util.Objects;

/** Where a job's starting model comes from. */
public sealed interface ModelSource {

    /**
     * A built-in architecture, created with seeded random weights and pretrained on the job's data set.
     *
     * @param architecture the architecture's name, e.g. {@code vgg-small}
     * @param seed seed of the initial weights
     */
    record BuiltIn(String architecture, long seed) implements ModelSource {
        /** Checks the fields. */
        public BuiltIn {
            Objects.requireNonNull(architecture, "architecture");
        }
    }

    /**
     * A trained model file (JSON graph with safetensors weights beside it) under the model root.
     *
     * @param path the graph file's path
     */
    record Stored(String path) implements ModelSource {
        /** Checks the fields. */
        public Stored {
            Objects.requireNonNull(path, "path");
        }
    }
}
