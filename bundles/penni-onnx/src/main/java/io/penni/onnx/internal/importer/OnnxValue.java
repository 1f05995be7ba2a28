package io.penni.onnx.internal.importer;

import java.util.Arrays;

/**
 * What an ONNX value name stands for while a graph is read: the activations of an IR layer, or a constant the
 * importer folds (weights, and the shape arithmetic exporters emit around a flatten).
 */
sealed interface OnnxValue {

    /** @return a short description for messages, e.g. {@code an activation [8, 32, 32]} */
    String describe();

    /**
     * The output of an IR layer, seen with the ONNX dimensions of one image (the batch dimension left out):
     * {@code [C, H, W]} for a feature map, {@code [F]} once flattened, {@code [C, 1]} half way through a squeeze.
     * The IR layer's own shape is always {@code C×H×W}; only the ONNX view of it changes.
     *
     * @param layer the IR layer whose output this is
     * @param dims the per-image ONNX dimensions
     */
    record Activation(String layer, long[] dims) implements OnnxValue {
        /** @return whether this is a feature map {@code [C, H, W]} */
        boolean isMap() {
            return dims.length == 3;
        }

        /** @return the number of values per image */
        long size() {
            return Arrays.stream(dims).reduce(1, Math::multiplyExact);
        }

        @Override
        public String describe() {
            return "an activation [batch, " + Arrays.stream(dims).mapToObj(Long::toString)
                    .reduce((a, b) -> a + ", " + b).orElse("") + "]";
        }
    }

    /**
     * A float32 constant: an initializer or a {@code Constant} node.
     *
     * @param dims its dimensions
     * @param values its values, row-major
     */
    record Floats(long[] dims, float[] values) implements OnnxValue {
        @Override
        public String describe() {
            return "a float constant " + Arrays.toString(dims);
        }
    }

    /**
     * An integer constant, or a shape computed from one: the batch dimension, unknown until run time, is
     * {@link #BATCH}.
     *
     * @param dims its dimensions (rank 0 or 1 in the shape arithmetic this folds)
     * @param values its values, row-major
     */
    record Ints(long[] dims, long[] values) implements OnnxValue {
        /** Stands for the batch dimension in a shape computed by {@code Shape}. */
        static final long BATCH = Long.MIN_VALUE;

        @Override
        public String describe() {
            return "an integer constant " + Arrays.toString(dims);
        }
    }

    /**
     * A feature map with zeros added around it by a Pad node: only a Conv that reads it takes it, adding the pads to
     * its own; anything else refuses it, naming the Pad node.
     *
     * @param source the map before padding
     * @param pads zeros added [top, left, bottom, right]
     * @param node the Pad node's name
     */
    record Padded(Activation source, long[] pads, String node) implements OnnxValue {
        @Override
        public String describe() {
            return "the output of Pad node '" + node + "' (zeros added [top, left, bottom, right] = "
                    + Arrays.toString(pads) + "), which only a Conv reading it directly takes into its own pads";
        }
    }
}
