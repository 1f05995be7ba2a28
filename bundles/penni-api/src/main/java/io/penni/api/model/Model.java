package io.penni.api.model;

import java.util.Map;
import java.util.Objects;

/**
 * A network with its parameters.
 *
 * @param network the graph
 * @param parameters every layer's tensors by full name ({@code layer.parameter})
 */
public record Model(Network network, Map<String, Tensor> parameters) {
    /** Checks the fields. */
    public Model {
        Objects.requireNonNull(network, "network");
        parameters = Map.copyOf(parameters);
    }
}
