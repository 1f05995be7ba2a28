package io.penni.model.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Network;

/**
 * Builds a network layer by layer, filling in channel and feature counts from the shapes so far, so an
 * architecture reads like its paper: "3×3 conv to 64, BN, ReLU". Every method returns the new layer's name,
 * to be passed on as the next layer's input. Each layer is checked by {@link ShapeRules} as it is added.
 */
public final class NetworkBuilder {

    /** Batch-norm epsilon and momentum of PyTorch's defaults, which the published networks use. */
    private static final double BN_EPSILON = 1e-5;
    private static final double BN_MOMENTUM = 0.1;

    private final String networkName;
    private final List<Layer> layers = new ArrayList<>();
    private final Map<String, ActivationShape> shapes = new HashMap<>();

    /**
     * A builder for one network.
     *
     * @param networkName the network's name
     */
    public NetworkBuilder(String networkName) {
        this.networkName = networkName;
    }

    /**
     * The network's input.
     *
     * @param name layer name
     * @param channels image channels
     * @param height image height
     * @param width image width
     * @return the layer's name
     */
    public String input(String name, int channels, int height, int width) {
        return add(new Layer.Input(name, channels, height, width));
    }

    /**
     * A k×k convolution reading {@code from}, padded to keep the size at stride 1 ({@code k/2}).
     *
     * @param name layer name
     * @param from the layer it reads
     * @param out output channels
     * @param kernel kernel size
     * @param stride stride
     * @param bias whether it has a bias (not when a batch norm follows)
     * @return the layer's name
     */
    public String conv(String name, String from, int out, int kernel, int stride, boolean bias) {
        return conv(name, from, out, kernel, stride, kernel / 2, bias);
    }

    /**
     * A k×k convolution with explicit padding.
     *
     * @param name layer name
     * @param from the layer it reads
     * @param out output channels
     * @param kernel kernel size
     * @param stride stride
     * @param padding zero padding on each side
     * @param bias whether it has a bias
     * @return the layer's name
     */
    public String conv(String name, String from, int out, int kernel, int stride, int padding, boolean bias) {
        return add(new Layer.Conv2d(name, from, out, shape(from).channels(), kernel, stride, padding, 1, bias));
    }

    /**
     * Batch normalisation over {@code from}'s channels.
     *
     * @param name layer name
     * @param from the layer it reads
     * @return the layer's name
     */
    public String batchNorm(String name, String from) {
        return add(new Layer.BatchNorm(name, from, shape(from).channels(), BN_EPSILON, BN_MOMENTUM));
    }

    /**
     * ReLU.
     *
     * @param name layer name
     * @param from the layer it reads
     * @return the layer's name
     */
    public String relu(String name, String from) {
        return add(new Layer.Relu(name, from));
    }

    /**
     * Max pooling.
     *
     * @param name layer name
     * @param from the layer it reads
     * @param kernel window size
     * @param stride stride
     * @param padding padding on each side
     * @return the layer's name
     */
    public String maxPool(String name, String from, int kernel, int stride, int padding) {
        return add(new Layer.Pool(name, from, Layer.PoolKind.MAX, kernel, stride, padding));
    }

    /**
     * Global average pooling.
     *
     * @param name layer name
     * @param from the layer it reads
     * @return the layer's name
     */
    public String globalAvgPool(String name, String from) {
        return add(new Layer.GlobalAvgPool(name, from));
    }

    /**
     * Flatten.
     *
     * @param name layer name
     * @param from the layer it reads
     * @return the layer's name
     */
    public String flatten(String name, String from) {
        return add(new Layer.Flatten(name, from));
    }

    /**
     * Dropout.
     *
     * @param name layer name
     * @param from the layer it reads
     * @param rate fraction dropped while training
     * @return the layer's name
     */
    public String dropout(String name, String from, double rate) {
        return add(new Layer.Dropout(name, from, rate));
    }

    /**
     * A fully connected layer with bias over all of {@code from}'s values.
     *
     * @param name layer name
     * @param from the layer it reads
     * @param out output features
     * @return the layer's name
     */
    public String linear(String name, String from, int out) {
        return add(new Layer.Linear(name, from, out, Math.toIntExact(shape(from).size()), true));
    }

    /**
     * The sum of two layers: a residual join.
     *
     * @param name layer name
     * @param first one summand
     * @param second the other
     * @return the layer's name
     */
    public String sum(String name, String first, String second) {
        return add(new Layer.Add(name, List.of(first, second)));
    }

    /**
     * The shape of a layer added so far.
     *
     * @param layer its name
     * @return its output shape
     */
    public ActivationShape shape(String layer) {
        ActivationShape shape = shapes.get(layer);
        if (shape == null) {
            throw new IllegalStateException(networkName + ": no layer " + layer + " yet");
        }
        return shape;
    }

    /**
     * The network.
     *
     * @param output the layer whose activations are the logits
     * @return the network
     */
    public Network build(String output) {
        shape(output);
        return new Network(networkName, layers, output);
    }

    private String add(Layer layer) {
        List<ActivationShape> inputs = layer.inputs().stream().map(this::shape).toList();
        shapes.put(layer.name(), ShapeRules.output(layer, inputs));
        layers.add(layer);
        return layer.name();
    }
}
