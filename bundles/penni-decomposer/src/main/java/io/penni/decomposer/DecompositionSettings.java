package io.penni.decomposer;

import java.util.Map;
import java.util.Objects;

/**
 * How many basis kernels each layer gets. A layer's d is capped at k·k: with d ≥ k·k the decomposition is
 * exact, and more bases than kernel values would add nothing.
 *
 * @param bases d for every layer not named in {@code perLayer} (paper: 5)
 * @param perLayer d for particular layers, by layer name
 */
public record DecompositionSettings(int bases, Map<String, Integer> perLayer) {

    /** The paper's setting: five basis kernels per layer. */
    public static final int PAPER_BASES = 5;

    /** Checks that every d is at least 1 and copies the map. */
    public DecompositionSettings {
        if (bases < 1) {
            throw new IllegalArgumentException("bases must be at least 1, was " + bases);
        }
        perLayer = Map.copyOf(Objects.requireNonNull(perLayer, "perLayer"));
        for (Map.Entry<String, Integer> layer : perLayer.entrySet()) {
            if (layer.getValue() < 1) {
                throw new IllegalArgumentException(
                        "bases of layer " + layer.getKey() + " must be at least 1, was " + layer.getValue());
            }
        }
    }

    /**
     * The same d for every layer.
     *
     * @param bases d
     * @return the settings
     */
    public static DecompositionSettings of(int bases) {
        return new DecompositionSettings(bases, Map.of());
    }

    /** @return the paper's settings, d = 5 for every layer */
    public static DecompositionSettings paper() {
        return of(PAPER_BASES);
    }

    /**
     * The d asked for a layer, before capping at k·k.
     *
     * @param layer the layer's name
     * @return its d
     */
    public int basesOf(String layer) {
        return perLayer.getOrDefault(layer, bases);
    }
}
