package io.penni.api.job;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which pruning strategy a job uses.
 *
 * @param strategy the strategy's name; empty: the configured default or the highest-ranked strategy
 * @param parameters the strategy's parameters, overriding its configuration for this job
 * @param linear whether the weights of fully connected layers (all but the output layer) are pruned too
 */
public record PruningSpec(Optional<String> strategy, Map<String, String> parameters, boolean linear) {

    /**
     * Convolutions only (the paper).
     *
     * @param strategy the strategy's name; empty: the configured default or the highest-ranked strategy
     * @param parameters the strategy's parameters, overriding its configuration for this job
     */
    public PruningSpec(Optional<String> strategy, Map<String, String> parameters) {
        this(strategy, parameters, false);
    }
    /** Checks the fields. */
    public PruningSpec {
        Objects.requireNonNull(strategy, "strategy");
        parameters = Map.copyOf(parameters);
    }
}
