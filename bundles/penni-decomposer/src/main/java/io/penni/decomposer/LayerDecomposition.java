package io.penni.decomposer;

import java.util.List;
import java.util.Objects;

/**
 * What decomposing one convolution gave.
 *
 * @param layer the layer's name
 * @param kernel its kernel size k
 * @param requestedBases the d the settings asked for
 * @param bases the d it got: {@code min(requestedBases, k·k)}
 * @param relativeError {@code ‖W − coefficients·basis‖_F / ‖W‖_F} of the stored float32 factors (0 for an
 *        all-zero layer)
 * @param singularValues all k·k singular values of the {@code [N·C, k·k]} kernel matrix, largest first; the
 *        optimal rank-d error is {@code sqrt(Σ_{i≥d} σ_i²) / ‖W‖_F}
 */
public record LayerDecomposition(String layer, int kernel, int requestedBases, int bases, double relativeError,
        List<Double> singularValues) {

    /** Checks the fields and copies the list. */
    public LayerDecomposition {
        Objects.requireNonNull(layer, "layer");
        singularValues = List.copyOf(singularValues);
    }

    /** @return whether the layer is represented exactly (d = k·k), up to float rounding */
    public boolean exact() {
        return bases == kernel * kernel;
    }
}
