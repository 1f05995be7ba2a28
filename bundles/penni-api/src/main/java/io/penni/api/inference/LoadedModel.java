package io.penni.api.inference;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

import io.penni.api.model.ActivationShape;

/** A model a backend has prepared to run. Close it to free its memory. */
@ConsumerType
public interface LoadedModel extends AutoCloseable {

    /** @return the shape of one input image */
    ActivationShape inputShape();

    /** @return values per output row (classes) */
    int outputSize();

    /**
     * Runs a batch.
     *
     * @param input {@code batch × inputShape} values, image after image, each channel-major
     * @param batch images in the batch
     * @return {@code batch × outputSize} logits
     */
    float[] run(float[] input, int batch);

    /** @return bytes of parameters as the backend holds them */
    long weightBytes();

    /**
     * Memory a batch needs beyond the weights: activations kept alive at once plus scratch space.
     *
     * @param batch images in the batch
     * @return bytes
     */
    long workspaceBytes(int batch);

    /**
     * How the backend runs this model, for reports: e.g. the CPU engine's kernel per layer and what each measured.
     * Plain JSON-able values (maps, lists, strings, numbers, booleans).
     *
     * @return the description; empty when the backend has none
     */
    default Map<String, Object> details() {
        return Map.of();
    }

    /** Frees the model's memory. */
    @Override
    void close();
}
