package io.penni.pruner.internal;

import java.util.List;
import java.util.Optional;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.penni.api.prune.PruningStrategy;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;

/**
 * The {@value StageNames#PRUNE} stage: picks the job's {@link PruningStrategy} service (the one the request
 * names, else the highest-ranked), prunes the input {@code model} with it and stores {@code prune/model.json},
 * its weights and {@code prune/masks.safetensors}.
 *
 * <p>Strategies are referenced dynamically and greedily, so a strategy bundle installed while the server runs is
 * used by the next job without a restart. A job takes its strategy's service object once and keeps that
 * instance until it is done, even if a better-ranked strategy arrives meanwhile.
 */
@Component(property = CompressionStage.STAGE + "=" + StageNames.PRUNE)
public final class PruneStage implements CompressionStage {

    @Reference(service = PruningStrategy.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ComponentServiceObjects<PruningStrategy>> strategies;

    @Override
    public StageOutcome run(StageContext context) {
        Optional<StageOutcome> stored = PruneJob.stored(context);
        if (stored.isPresent()) {
            return stored.get();
        }
        List<StrategySelection.Candidate<ComponentServiceObjects<PruningStrategy>>> candidates = strategies.stream()
                .map(PruneStage::candidate).toList();
        StrategySelection.Choice<ComponentServiceObjects<PruningStrategy>> choice = StrategySelection.choose(
                candidates, context.request().pruning().strategy());
        if (choice instanceof StrategySelection.Unavailable<ComponentServiceObjects<PruningStrategy>> none) {
            return new StageOutcome.Failed(StageNames.PRUNE + ": " + none.reason(), none.retryable());
        }
        StrategySelection.Candidate<ComponentServiceObjects<PruningStrategy>> chosen =
                ((StrategySelection.Chosen<ComponentServiceObjects<PruningStrategy>>) choice).candidate();
        ComponentServiceObjects<PruningStrategy> handle = chosen.service();
        PruningStrategy strategy;
        try {
            strategy = handle.getService();
        } catch (IllegalStateException e) {
            strategy = null;
        }
        if (strategy == null) {
            return new StageOutcome.Failed(StageNames.PRUNE + ": strategy " + chosen.name()
                    + " went away before the job could use it", true);
        }
        try {
            return PruneJob.run(context, provenance(chosen.name(), handle.getServiceReference()), strategy);
        } finally {
            handle.ungetService(strategy);
        }
    }

    private static StrategySelection.Candidate<ComponentServiceObjects<PruningStrategy>> candidate(
            ComponentServiceObjects<PruningStrategy> handle) {
        ServiceReference<PruningStrategy> reference = handle.getServiceReference();
        Object name = reference.getProperty(PruningStrategy.NAME);
        Object ranking = reference.getProperty(Constants.SERVICE_RANKING);
        Object id = reference.getProperty(Constants.SERVICE_ID);
        return new StrategySelection.Candidate<>(name instanceof String s ? s : "(unnamed)",
                ranking instanceof Integer r ? r : 0, id instanceof Long l ? l : Long.MAX_VALUE, handle);
    }

    private static PruneJob.Provenance provenance(String name, ServiceReference<PruningStrategy> reference) {
        Bundle bundle = reference.getBundle();
        // a reference whose service was unregistered meanwhile has no bundle any more
        return bundle == null ? new PruneJob.Provenance(name, "unknown", "unknown")
                : new PruneJob.Provenance(name, bundle.getSymbolicName(), bundle.getVersion().toString());
    }
}
