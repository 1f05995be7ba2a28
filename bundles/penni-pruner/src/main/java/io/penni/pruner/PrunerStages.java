package io.penni.pruner;

import io.penni.api.prune.PruningStrategy;
import io.penni.api.stage.CompressionStage;
import io.penni.pruner.internal.FixedStrategyPruneStage;

/**
 * The prune stage for use outside the container (the local pipeline), with one strategy; inside the container
 * the stage picks among the strategy services present.
 */
public final class PrunerStages {

    private PrunerStages() {
    }

    /**
     * @param name the strategy's name
     * @param strategy the strategy
     * @param origin where the strategy comes from, reported as its bundle
     * @return the prune stage
     */
    public static CompressionStage withStrategy(String name, PruningStrategy strategy, String origin) {
        return new FixedStrategyPruneStage(name, strategy, origin);
    }
}
