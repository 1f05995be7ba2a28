package io.penni.api.job;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which pruning strategy a job uses.
 *
 * @param strategy the strategy's name; empty: the configured default or the highest-ranked strategy
 * @param parameters the strategy's parameters, overriding its configuration for this job
 */
public record PruningSpec(Optional<String> strategy, Map<String, String> parameters) {
    /** Checks the fields. */
    public PruningSpec {
        Objects.requireNonNull(strategy, "strategy");
        parameters = Map.copyOf(parameters);
    }
}
