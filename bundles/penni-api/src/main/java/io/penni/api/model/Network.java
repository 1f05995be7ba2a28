package io.penni.api.model;

import java.util.List;
import java.util.Objects;

/**
 * A network graph: layers in topological order, the first of them the input, the named one the output.
 *
 * @param name the network's name (e.g. {@code vgg-small})
 * @param layers the layers, each after every layer it reads
 * @param output the name of the layer whose activations are the network's output (the logits)
 */
public record Network(String name, List<Layer> layers, String output) {
    /** Checks the fields. */
    public Network {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(output, "output");
        layers = List.copyOf(layers);
    }
}
