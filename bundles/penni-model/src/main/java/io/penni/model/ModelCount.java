package io.penni.model;

import java.util.List;
import java.util.Objects;

import io.penni.api.model.ActivationShape;

/**
 * A network's counts per layer and in total, per image (batch 1). MACs are multiply-accumulates of
 * convolutions and linear layers; FLOPs are 2 × MACs.
 *
 * @param network the network's name
 * @param input the shape of one input image
 * @param layers each layer's counts, in network order
 * @param params total trainable parameters
 * @param macs total multiply-accumulates
 * @param convParams parameters of convolution layers only (dense and decomposed)
 * @param convMacs multiply-accumulates of convolution layers only
 * @param activationBytes the sum of every layer's output and scratch bytes (float32)
 * @param peakActivationBytes the most bytes alive at once when the layers run one after another in network
 *        order, each output freed after its last reader (no in-place reuse), a layer's scratch counted while it
 *        runs
 */
public record ModelCount(String network, ActivationShape input, List<LayerCount> layers, long params, long macs,
        long convParams, long convMacs, long activationBytes, long peakActivationBytes) {

    /** Copies the list. */
    public ModelCount {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(input, "input");
        layers = List.copyOf(layers);
    }

    /** @return total floating-point operations, 2 × MACs */
    public long flops() {
        return 2 * macs;
    }

    /** @return floating-point operations of convolution layers, 2 × conv MACs */
    public long convFlops() {
        return 2 * convMacs;
    }
}
