package io.penni.api.prune;

/** What a prunable tensor is, so that strategies can treat layers differently. */
public enum TensorKind {
    /** Coefficients {@code [N, C, d]} of a decomposed convolution. */
    COEFFICIENTS,
    /** Weight {@code [N, C, k, k]} of a dense convolution (1×1 convolutions stay dense in PENNI). */
    CONV_WEIGHT,
    /** Weight {@code [out, in]} of a linear layer. */
    LINEAR_WEIGHT
}
