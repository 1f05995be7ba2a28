package io.penni.pipeline;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The names under which services of one kind are registered now (e.g. the {@code penni.backend} of every
 * {@code InferenceBackend}), kept by a component's bind and unbind methods, for checking a request against what is
 * installed ({@link RequestEnvironment}). Thread-safe: services come and go on other threads.
 */
public final class ServiceNames {

    private final String property;
    private final Set<String> names = ConcurrentHashMap.newKeySet();

    /**
     * @param property the service property holding a service's name
     */
    public ServiceNames(String property) {
        this.property = property;
    }

    /**
     * A service came.
     *
     * @param properties its service properties
     */
    public void added(Map<String, Object> properties) {
        if (properties.get(property) instanceof String name) {
            names.add(name);
        }
    }

    /**
     * A service went.
     *
     * @param properties its service properties
     */
    public void removed(Map<String, Object> properties) {
        if (properties.get(property) instanceof String name) {
            names.remove(name);
        }
    }

    /** @return the names now */
    public Set<String> now() {
        return Set.copyOf(names);
    }
}
