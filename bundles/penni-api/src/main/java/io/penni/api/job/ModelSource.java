package io.penni.api.job;

import java.util.Locale;
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
     * A trained model file under the model root: our JSON graph with safetensors weights beside it, or an ONNX
     * file that is imported when the job starts.
     *
     * @param path the file's path, relative to the model root
     * @param format how the file is read
     */
    record Stored(String path, Format format) implements ModelSource {
        /** Checks the fields. */
        public Stored {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(format, "format");
        }

        /**
         * A stored model whose format its file name tells: {@code .onnx} is ONNX, anything else our JSON graph.
         *
         * @param path the file's path, relative to the model root
         */
        public Stored(String path) {
            this(path, Format.of(path));
        }
    }

    /** The formats a stored model may have. */
    enum Format {
        /** Our own model files: a JSON graph ({@code NAME.json}) with {@code NAME.safetensors} beside it. */
        PENNI,
        /** An ONNX file, imported into the IR. */
        ONNX;

        /**
         * @param path a model file's path
         * @return ONNX for a name ending in {@code .onnx} (any case), PENNI otherwise
         */
        public static Format of(String path) {
            return path.toLowerCase(Locale.ROOT).endsWith(".onnx") ? ONNX : PENNI;
        }
    }
}
