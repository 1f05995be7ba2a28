package io.penni.api.stage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the decompose stage reports: each convolution's kernel basis and how well it reconstructs the layer.
 *
 * @param bases the requested number of basis kernels per layer (d)
 * @param layers one row per decomposed layer
 * @param maxRelativeError the largest relative reconstruction error over the layers
 */
public record DecompositionSummary(int bases, List<Layer> layers, double maxRelativeError) implements StageSummary {

    /** Copies the list. */
    public DecompositionSummary {
        layers = List.copyOf(layers);
    }

    @Override
    public Map<String, Object> headline() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("bases", bases);
        h.put("maxRelativeError", maxRelativeError);
        return h;
    }

    /**
     * One decomposed layer.
     *
     * @param name the layer's name
     * @param kernel the kernel's side (3 for 3×3)
     * @param bases the basis kernels it got
     * @param relativeError its relative reconstruction error
     */
    public record Layer(String name, int kernel, int bases, double relativeError) {
        /** Checks the fields. */
        public Layer {
            Objects.requireNonNull(name, "name");
        }
    }
}
