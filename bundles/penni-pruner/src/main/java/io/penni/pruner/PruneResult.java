package io.penni.pruner;

import java.util.List;
import java.util.Objects;

import io.penni.api.model.Model;

/**
 * A pruned model with what was pruned.
 *
 * @param model the model with every masked value zero
 * @param masks a mask for every masked parameter: the prunable tensors, and the bias and batch-norm gamma and beta
 *        of their layers
 * @param layers kept / total of each prunable tensor, in network order
 * @param strategy the name of the strategy that chose the masks
 * @param violations one line for each tensor in which the strategy kept values that its previous mask had pruned
 *        (they were pruned anyway); empty for a well-behaved strategy
 */
public record PruneResult(Model model, ParameterMasks masks, List<LayerSparsity> layers, String strategy,
        List<String> violations) {

    /** Checks the fields and copies the lists. */
    public PruneResult {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(masks, "masks");
        Objects.requireNonNull(strategy, "strategy");
        layers = List.copyOf(layers);
        violations = List.copyOf(violations);
    }

    /** @return the values kept over all prunable tensors */
    public long kept() {
        return layers.stream().mapToLong(LayerSparsity::kept).sum();
    }

    /** @return the values of all prunable tensors */
    public long total() {
        return layers.stream().mapToLong(LayerSparsity::total).sum();
    }

    /** @return the fraction of all prunable values pruned, 0 to 1 */
    public double sparsity() {
        return total() == 0 ? 0 : 1 - (double) kept() / total();
    }
}
