package io.penni.serving.internal;

import java.util.Objects;

/**
 * A version of a model being served: its signature and the batcher that runs it.
 *
 * @param version the version folder's name
 * @param stamp the names, sizes and modification times of its files when it was loaded
 * @param backend the backend that runs it
 * @param signature its input and output
 * @param batcher its queue
 */
record ModelVersion(String version, String stamp, String backend, ModelSignature signature, DynamicBatcher batcher) {
    /** Checks the fields. */
    ModelVersion {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(stamp, "stamp");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(batcher, "batcher");
    }
}
