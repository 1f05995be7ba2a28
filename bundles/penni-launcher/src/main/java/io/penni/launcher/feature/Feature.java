package io.penni.launcher.feature;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An OSGi Feature (OSGi Compendium R8, chapter 159): a named set of bundles and configurations.
 *
 * @param id the feature's Maven coordinates
 * @param name a short human-readable name
 * @param description what the feature is for
 * @param bundles its bundles, in order
 * @param configurations default configurations by PID (a factory configuration is {@code factoryPid~name})
 */
public record Feature(ArtifactCoordinates id, String name, String description, List<FeatureBundle> bundles,
        Map<String, Map<String, Object>> configurations) {
    /** Copies the collections. */
    public Feature {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        bundles = List.copyOf(bundles);
        configurations = Map.copyOf(configurations);
    }
}
