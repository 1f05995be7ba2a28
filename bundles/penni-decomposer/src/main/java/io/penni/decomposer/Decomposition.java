package io.penni.decomposer;

import java.util.List;
import java.util.Objects;

import io.penni.api.model.Model;

/**
 * A decomposed model and what each decomposed layer lost.
 *
 * @param model the model with every decomposable convolution replaced by a decomposed one of the same name
 * @param layers one entry per decomposed layer, in network order
 */
public record Decomposition(Model model, List<LayerDecomposition> layers) {

    /** Checks the fields and copies the list. */
    public Decomposition {
        Objects.requireNonNull(model, "model");
        layers = List.copyOf(layers);
    }
}
