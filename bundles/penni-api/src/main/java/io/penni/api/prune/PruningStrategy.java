package io.penni.api.prune;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides which coefficients to prune. A strategy is pure, in the style of PyTorch's
 * {@code BasePruningMethod.compute_mask}: tensors in, masks out, nothing changed. Applying masks, keeping
 * them through fine-tuning and making them permanent is the pruner stage's job, done once for all
 * strategies.
 *
 * <p>Register it as a service with the {@value #NAME} property. Its configuration gives the defaults; a
 * request may override them per job with string parameters.
 */
@ConsumerType
public interface PruningStrategy {

    /** Service property: the strategy's name, e.g. {@code std-threshold}. */
    String NAME = "penni.strategy";

    /** Service property: one line saying what the strategy does. */
    String DESCRIPTION = "penni.strategy.description";

    /**
     * Checks a request's parameters before any work starts.
     *
     * @param parameters overrides of the configured parameters
     * @return the problem with them in one line, or empty when they are usable
     */
    Optional<String> checkParameters(Map<String, String> parameters);

    /** @return the configured parameters, as a request would spell them */
    Map<String, String> parameters();

    /**
     * Computes a keep-mask for each tensor. A value its previous mask prunes must stay pruned.
     *
     * @param scores the tensors, with their previous masks
     * @param parameters overrides of the configured parameters for this job
     * @return one mask per tensor in the same order, or why the strategy cannot prune them
     */
    MaskOutcome computeMask(List<PrunableTensor> scores, Map<String, String> parameters);
}
