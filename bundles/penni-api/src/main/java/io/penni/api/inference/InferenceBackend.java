package io.penni.api.inference;

import org.osgi.annotation.versioning.ConsumerType;

import io.penni.api.model.Model;

/**
 * Runs networks of the IR. Registered as a service with the {@value #NAME} property; a backend registers
 * only where it can run (the CUDA backend only where a GPU and driver are present).
 */
@ConsumerType
public interface InferenceBackend {

    /** Service property: the backend's name, e.g. {@code cpu}. */
    String NAME = "penni.backend";

    /** @return what the backend is */
    BackendInfo info();

    /**
     * Prepares a model to run. Never throws for a model it cannot run: it says why instead.
     *
     * @param model the model
     * @return the prepared model, or why the backend cannot run it
     */
    LoadOutcome load(Model model);
}
