package io.penni.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Network;
import io.penni.model.internal.ShapeRules;

/**
 * Validates a network graph and infers every layer's output shape (per image, channels × height × width).
 *
 * <p>A valid network has at least one layer; exactly one {@link Layer.Input}, which comes first; unique,
 * non-blank names without whitespace; every input naming an earlier layer; fields that agree with the shapes
 * they read (a convolution's input channels, groups dividing channels, batch-norm channels, a linear layer's
 * input features = C·H·W of its input, same-shaped inputs of an add, windows that fit their input, at least
 * one basis in a decomposed convolution); outputs of at most 2³¹ − 1 values per image; and an output naming one
 * of its layers.
 */
public final class NetworkShapes {

    private NetworkShapes() {
    }

    /**
     * Checks a network and infers its shapes.
     *
     * @param network the graph
     * @return every layer's output shape by name, in the network's layer order (unmodifiable)
     * @throws ModelException at the first problem, naming the layer and what is wrong, e.g.
     *         {@code layer conv3: expects 64 input channels, its input 'relu2' has 32}
     */
    public static Map<String, ActivationShape> infer(Network network) {
        List<Layer> layers = network.layers();
        if (layers.isEmpty()) {
            throw new ModelException("network " + network.name() + ": has no layers");
        }
        if (!(layers.get(0) instanceof Layer.Input)) {
            throw new ModelException("network " + network.name() + ": the first layer must be an input, '"
                    + layers.get(0).name() + "' is not");
        }
        Map<String, ActivationShape> shapes = new LinkedHashMap<>();
        for (int position = 0; position < layers.size(); position++) {
            Layer layer = layers.get(position);
            checkName(network, layer, position, shapes);
            if (position > 0 && layer instanceof Layer.Input) {
                throw new ModelException("layer " + layer.name() + ": a network has exactly one input, '"
                        + layers.get(0).name() + "' is already one");
            }
            List<ActivationShape> inputs = new ArrayList<>();
            for (String input : layer.inputs()) {
                inputs.add(inputShape(network, layer, input, shapes));
            }
            ActivationShape shape = ShapeRules.output(layer, inputs);
            if (shape.size() > Integer.MAX_VALUE) {
                // every backend holds one image's activations of a layer in one array
                throw new ModelException("layer " + layer.name() + ": its output " + shape + " has more than "
                        + Integer.MAX_VALUE + " values per image");
            }
            shapes.put(layer.name(), shape);
        }
        if (!shapes.containsKey(network.output())) {
            throw new ModelException("network " + network.name() + ": the output '" + network.output()
                    + "' is not one of its layers");
        }
        return Collections.unmodifiableMap(shapes);
    }

    /**
     * The shape of one image the network takes.
     *
     * @param network a valid network
     * @return its input layer's shape
     * @throws ModelException if the network is invalid
     */
    public static ActivationShape input(Network network) {
        return infer(network).get(network.layers().get(0).name());
    }

    private static void checkName(Network network, Layer layer, int position, Map<String, ActivationShape> seen) {
        String name = layer.name();
        if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new ModelException("network " + network.name() + ": layer " + position + " has the name '" + name
                    + "'; names must be non-blank without whitespace");
        }
        if (seen.containsKey(name)) {
            throw new ModelException("layer " + name + ": the name is used by two layers (again at position "
                    + position + ")");
        }
    }

    private static ActivationShape inputShape(Network network, Layer layer, String input,
            Map<String, ActivationShape> shapes) {
        ActivationShape shape = shapes.get(input);
        if (shape != null) {
            return shape;
        }
        if (input.equals(layer.name())) {
            throw new ModelException("layer " + layer.name() + ": reads itself");
        }
        boolean later = network.layers().stream().anyMatch(l -> l.name().equals(input));
        throw new ModelException("layer " + layer.name() + ": its input '" + input + "' "
                + (later ? "comes after it; layers must come after every layer they read" : "is not a layer"));
    }
}
