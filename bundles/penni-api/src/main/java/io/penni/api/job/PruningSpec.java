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
 * @param gradualEpochs over how many of the first fine-tuning epochs the strategy's masks are reached, by magnitude
 *        on a cubic schedule (0: all at once, before fine-tuning, as the paper does)
 */
public record PruningSpec(Optional<String> strategy, Map<String, String> parameters, boolean linear,
        int gradualEpochs) {

    /**
     * Pruned at once (the paper).
     *
     * @param strategy the strategy's name; empty: the configured default or the highest-ranked strategy
     * @param parameters the strategy's parameters, overriding its configuration for this job
     * @param linear whether the weights of fully connected layers (all but the output layer) are pruned too
     */
    public PruningSpec(Optional<String> strategy, Map<String, String> parameters, boolean linear) {
        this(strategy, parameters, linear, 0);
    }

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
        if (gradualEpochs < 0) {
            throw new IllegalArgumentException("gradualEpochs must be >= 0, was " + gradualEpochs);
        }
    }
}
