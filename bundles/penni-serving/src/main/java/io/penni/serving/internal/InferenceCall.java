package io.penni.serving.internal;

import java.util.Objects;
import java.util.Optional;

/**
 * One parsed, checked inference request.
 *
 * @param id the request's {@code id}, echoed in the response
 * @param images images in the request (the input's first dimension)
 * @param input {@code images × C × H × W} finite values, row-major
 * @param output how the output is to be returned
 */
record InferenceCall(Optional<String> id, int images, float[] input, OutputForm output) {

    /** Checks the fields. */
    InferenceCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        if (images < 1) {
            throw new IllegalArgumentException("images must be positive, was " + images);
        }
    }

    /**
     * How the output tensor is returned.
     *
     * @param classification 0: the logits {@code [N, classes]} as FP32; k &gt; 0: the k best classes per image as
     *        BYTES {@code [N, k]}, each {@code "value:index"} (the classification extension)
     * @param binary whether the output's data goes after the JSON as raw bytes (the binary tensor data extension)
     */
    record OutputForm(int classification, boolean binary) {
        /** The logits as JSON numbers. */
        static final OutputForm LOGITS = new OutputForm(0, false);
    }
}
