package io.penni.pruner;

import java.util.Objects;

import io.penni.api.prune.TensorKind;

/**
 * How much of one prunable tensor a pruning kept.
 *
 * @param layer the layer's name
 * @param kind what the tensor is
 * @param kept values the mask keeps
 * @param total values of the tensor
 */
public record LayerSparsity(String layer, TensorKind kind, long kept, long total) {

    /** Checks the fields. */
    public LayerSparsity {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(kind, "kind");
    }

    /** @return the fraction of values pruned, 0 to 1 (0 for an empty tensor) */
    public double sparsity() {
        return total == 0 ? 0 : 1 - (double) kept / total;
    }
}
