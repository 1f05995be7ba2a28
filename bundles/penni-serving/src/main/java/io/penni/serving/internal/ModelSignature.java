package io.penni.serving.internal;

import java.util.Objects;

import io.penni.api.model.ActivationShape;

/**
 * What a served model takes and gives, as the protocol's metadata states it: one FP32 input {@code [-1, C, H, W]}
 * and one FP32 output {@code [-1, classes]}.
 *
 * @param inputName the input tensor's name
 * @param inputShape one image's shape
 * @param outputName the output tensor's name
 * @param classes values per output row
 */
record ModelSignature(String inputName, ActivationShape inputShape, String outputName, int classes) {

    /** The input tensor's name every served model has. */
    static final String INPUT = "input";
    /** The output tensor's name every served model has. */
    static final String OUTPUT = "logits";

    /** Checks the fields. */
    ModelSignature {
        Objects.requireNonNull(inputName, "inputName");
        Objects.requireNonNull(inputShape, "inputShape");
        Objects.requireNonNull(outputName, "outputName");
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be positive, was " + classes);
        }
    }

    /**
     * The signature of a model with the standard tensor names.
     *
     * @param inputShape one image's shape
     * @param classes values per output row
     * @return the signature
     */
    static ModelSignature of(ActivationShape inputShape, int classes) {
        return new ModelSignature(INPUT, inputShape, OUTPUT, classes);
    }

    /** @return values per image */
    int imageSize() {
        return (int) inputShape.size();
    }
}
