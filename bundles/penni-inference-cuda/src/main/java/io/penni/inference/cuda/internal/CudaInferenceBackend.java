package io.penni.inference.cuda.internal;

import io.penni.api.inference.BackendInfo;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.Model;

/** The {@code cuda} backend; only ever created once {@link CudaDriver#unavailable()} is empty. */
final class CudaInferenceBackend implements InferenceBackend {

    /** The backend name requests use. */
    static final String NAME = "cuda";

    private final String device;

    CudaInferenceBackend(String device) {
        this.device = device;
    }

    @Override
    public BackendInfo info() {
        return new BackendInfo(NAME, device + " (CUDA driver API, PTX kernels)", 1);
    }

    @Override
    public LoadOutcome load(Model model) {
        return CudaCompiler.load(model);
    }
}
