package io.penni.inference.cuda.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import io.penni.api.inference.InferenceBackend;

/**
 * Registers the {@code cuda} backend only where a GPU and its driver are present, so a container without one
 * never offers (or takes work for) the backend; where there is none it logs why, once, to standard error, and
 * registers nothing.
 */
@Component(immediate = true, service = {})
public final class CudaBackendRegistrar {

    private ServiceRegistration<InferenceBackend> registration;

    @Activate
    void activate(BundleContext context) {
        Optional<String> problem = CudaDriver.unavailable();
        if (problem.isPresent()) {
            System.err.println("penni-inference-cuda: no cuda backend in this container: " + problem.get());
            return;
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(InferenceBackend.NAME, CudaInferenceBackend.NAME);
        registration = context.registerService(InferenceBackend.class,
                new CudaInferenceBackend(CudaDriver.deviceName()), properties);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }
}
