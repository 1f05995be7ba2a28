package io.penni.pruner.internal;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.penni.api.prune.PruningStrategy;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;

/**
 * The {@value StageNames#PRUNE} stage: picks the job's {@link PruningStrategy} service (the one the request
 * names, else the configured {@code default.strategy}, else the highest-ranked), prunes the input {@code model}
 * with it and stores {@code prune/model.json}, its weights and {@code prune/masks.safetensors}.
 *
 * <p>Strategies are referenced dynamically and greedily, so a strategy bundle installed while the server runs is
 * used by the next job without a restart. A job takes its strategy's service object once and keeps that
 * instance until it is done, even if the bundle is updated or removed meanwhile; jobs that start later get what
 * is registered then. Only services with a {@value PruningStrategy#NAME} property count, as at request intake.
 *
 * <p>A wanted strategy that is not registered (it went away between intake and pruning, or its bundle is being
 * updated) is waited for, up to {@code strategy.wait.seconds}: an update re-registers it within moments. After
 * that the job fails with the reason and the available names, <b>not retryable</b> when a name was wanted (the
 * stage worker retries at once, which cannot bring a removed bundle back; the user resubmits after installing it),
 * retryable when no strategy is registered at all (the container is still starting or being re-provisioned).
 */
@Component(configurationPid = PruneStage.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = CompressionStage.STAGE + "=" + StageNames.PRUNE)
@Designate(ocd = PruneStage.Config.class)
public final class PruneStage implements CompressionStage {

    /** The configuration PID. */
    public static final String PID = "penni.pruner";

    /** How the stage picks strategies. */
    @ObjectClassDefinition(name = "PENNI prune stage", description = "How the prune stage picks a job's pruning "
            + "strategy.")
    public @interface Config {
        /** @return the default strategy's name */
        @AttributeDefinition(name = "Default strategy", description = "The penni.strategy name of the strategy a "
                + "request that names none uses. Empty: the highest-ranked strategy (service.ranking, then the "
                + "first registered). Default empty.")
        String default_strategy() default "";

        /** @return seconds to wait for a missing strategy */
        @AttributeDefinition(name = "Wait for a strategy (s)", description = "How long a job waits for the strategy "
                + "it needs when it is not registered (a bundle being updated re-registers it within moments) "
                + "before it fails. An integer >= 0. Default 30.")
        int strategy_wait_seconds() default 30;
    }

    private static final long POLL_MILLIS = 200;

    @Reference(service = PruningStrategy.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + PruningStrategy.NAME + "=*)")
    // package-private: the stage's tests set it as SCR does
    volatile List<ComponentServiceObjects<PruningStrategy>> strategies = List.of();

    private volatile Optional<String> defaultStrategy = Optional.empty();
    private volatile long waitNanos = TimeUnit.SECONDS.toNanos(30);

    @Activate
    @Modified
    void configure(Config config) {
        if (config.strategy_wait_seconds() < 0) {
            throw new IllegalArgumentException(PID + ": strategy.wait.seconds must be >= 0, was "
                    + config.strategy_wait_seconds());
        }
        defaultStrategy = Optional.of(config.default_strategy().trim()).filter(s -> !s.isEmpty());
        waitNanos = TimeUnit.SECONDS.toNanos(config.strategy_wait_seconds());
    }

    @Override
    public StageOutcome run(StageContext context) {
        long deadline = System.nanoTime() + waitNanos;
        StrategySelection.Choice<ComponentServiceObjects<PruningStrategy>> choice = choose(context);
        if (choice instanceof StrategySelection.Unavailable<?> none && waitNanos > 0) {
            context.progress(StageProgress.note("waiting up to " + TimeUnit.NANOSECONDS.toSeconds(waitNanos)
                    + " s for a pruning strategy: " + none.reason()));
        }
        while (choice instanceof StrategySelection.Unavailable<?> && System.nanoTime() < deadline
                && !context.cancelled()) {
            if (!sleep()) {
                return new StageOutcome.Failed(StageNames.PRUNE + ": interrupted while waiting for a strategy", true);
            }
            choice = choose(context);
        }
        if (choice instanceof StrategySelection.Unavailable<ComponentServiceObjects<PruningStrategy>> none) {
            return new StageOutcome.Failed(StageNames.PRUNE + ": " + none.reason(), none.retryable());
        }
        StrategySelection.Candidate<ComponentServiceObjects<PruningStrategy>> chosen =
                ((StrategySelection.Chosen<ComponentServiceObjects<PruningStrategy>>) choice).candidate();
        ComponentServiceObjects<PruningStrategy> handle = chosen.service();
        PruneJob.Provenance provenance = provenance(chosen.name(), handle.getServiceReference());
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
            return PruneJob.run(context, provenance, strategy);
        } finally {
            release(handle, strategy);
        }
    }

    private StrategySelection.Choice<ComponentServiceObjects<PruningStrategy>> choose(StageContext context) {
        List<StrategySelection.Candidate<ComponentServiceObjects<PruningStrategy>>> candidates = strategies.stream()
                .map(PruneStage::candidate).flatMap(Optional::stream).toList();
        return StrategySelection.choose(candidates, context.request().pruning().strategy(), defaultStrategy);
    }

    private static boolean sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Gives the instance back; when its bundle went away meanwhile, SCR has already released it. */
    private static void release(ComponentServiceObjects<PruningStrategy> handle, PruningStrategy strategy) {
        try {
            handle.ungetService(strategy);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the service was unregistered while the job used it: nothing is left to give back
        }
    }

    private static Optional<StrategySelection.Candidate<ComponentServiceObjects<PruningStrategy>>> candidate(
            ComponentServiceObjects<PruningStrategy> handle) {
        ServiceReference<PruningStrategy> reference = handle.getServiceReference();
        Object ranking = reference.getProperty(Constants.SERVICE_RANKING);
        Object id = reference.getProperty(Constants.SERVICE_ID);
        return reference.getProperty(PruningStrategy.NAME) instanceof String name
                ? Optional.of(new StrategySelection.Candidate<>(name, ranking instanceof Integer r ? r : 0,
                        id instanceof Long l ? l : Long.MAX_VALUE, handle))
                : Optional.empty();
    }

    private static PruneJob.Provenance provenance(String name, ServiceReference<PruningStrategy> reference) {
        Bundle bundle = reference.getBundle();
        // a reference whose service was unregistered meanwhile has no bundle any more
        return bundle == null ? new PruneJob.Provenance(name, "unknown", "unknown")
                : new PruneJob.Provenance(name, bundle.getSymbolicName(), bundle.getVersion().toString());
    }
}
