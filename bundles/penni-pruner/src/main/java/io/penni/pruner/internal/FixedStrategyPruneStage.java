package io.penni.pruner.internal;

import java.util.Optional;

import io.penni.api.prune.PruningStrategy;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;

/** The prune stage with one given strategy, for runs outside the container. */
public final class FixedStrategyPruneStage implements CompressionStage {

    private final String name;
    private final PruningStrategy strategy;
    private final String origin;

    /**
     * @param name the strategy's name
     * @param strategy the strategy
     * @param origin where it comes from, reported in place of a bundle (e.g. the jar's name)
     */
    public FixedStrategyPruneStage(String name, PruningStrategy strategy, String origin) {
        this.name = name;
        this.strategy = strategy;
        this.origin = origin;
    }

    @Override
    public StageOutcome run(StageContext context) {
        Optional<String> requested = context.request().pruning().strategy();
        if (requested.isPresent() && !requested.get().equals(name)) {
            return new StageOutcome.Failed(StageNames.PRUNE + ": unknown strategy '" + requested.get()
                    + "'; available: [" + name + "]", false);
        }
        return PruneJob.run(context, new PruneJob.Provenance(name, origin, "local"), strategy);
    }
}
