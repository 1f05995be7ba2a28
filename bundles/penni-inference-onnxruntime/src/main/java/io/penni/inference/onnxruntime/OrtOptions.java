package io.penni.inference.onnxruntime;

import java.util.Objects;

import io.penni.onnx.ExportForm;

/**
 * How ONNX Runtime runs the models it loads.
 *
 * @param intraOpThreads threads one operator runs on (ONNX Runtime's intra-op pool), at least 1
 * @param form how decomposed convolutions are exported: dense (one convolution, what ONNX Runtime runs fastest) or
 *        factored (the basis and coefficient convolutions, as a user's exported {@code model.onnx} is)
 */
public record OrtOptions(int intraOpThreads, ExportForm form) {

    /** The defaults: 2 intra-op threads, dense form. */
    public static final OrtOptions DEFAULT = new OrtOptions(2, ExportForm.DENSE);

    /** Checks the fields. */
    public OrtOptions {
        Objects.requireNonNull(form, "form");
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intra-op threads must be at least 1, was " + intraOpThreads);
        }
    }
}
