package io.penni.model;

import java.util.Objects;

import io.penni.api.model.ActivationShape;

/**
 * One layer's counts, per image. MACs are multiply-accumulates; one MAC is two FLOPs.
 *
 * @param name the layer's name
 * @param type its type as model files spell it, e.g. {@code conv2d}
 * @param output its output shape
 * @param params trainable parameters: weights, biases, batch-norm gamma and beta (running statistics are
 *        buffers, not parameters), and for a decomposed convolution d·k·k basis values plus the non-zero
 *        coefficients
 * @param macs multiply-accumulates of one image's pass; only convolutions and linear layers have them
 * @param activationBytes bytes of its float32 output (0 for flatten and dropout, which are views of their input
 *        at inference)
 * @param intermediateBytes bytes of float32 scratch maps it needs while it runs: a decomposed convolution's C·d
 *        basis-filtered maps; 0 for other layers
 * @param convolution whether it is a convolution (dense or decomposed), for the conv-only subtotals
 */
public record LayerCount(String name, String type, ActivationShape output, long params, long macs,
        long activationBytes, long intermediateBytes, boolean convolution) {

    /** Checks the fields. */
    public LayerCount {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(output, "output");
    }

    /** @return floating-point operations, 2 × MACs */
    public long flops() {
        return 2 * macs;
    }
}
