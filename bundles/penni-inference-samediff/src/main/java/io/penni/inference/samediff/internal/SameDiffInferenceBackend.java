package io.penni.inference.samediff.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.penni.api.compute.TensorRuntime;
import io.penni.api.inference.BackendInfo;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.Model;
import io.penni.inference.samediff.SameDiffEngine;

/**
 * The dense reference backend as a service. It references {@link TensorRuntime} so that it is never used
 * before ND4J has loaded its native build.
 */
@Component(service = InferenceBackend.class, property = InferenceBackend.NAME + "=" + SameDiffEngine.BACKEND)
public final class SameDiffInferenceBackend implements InferenceBackend {

    @Reference
    private TensorRuntime runtime;

    private final SameDiffEngine engine = new SameDiffEngine();

    @Override
    public BackendInfo info() {
        return engine.info();
    }

    @Override
    public LoadOutcome load(Model model) {
        return engine.load(model);
    }
}
