package io.penni.local.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.api.artifact.ArtifactStore;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.prune.PruningStrategy;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageNames;
import io.penni.model.Architectures;
import io.penni.pipeline.RequestEnvironment;
import io.penni.pipeline.ServiceNames;

/**
 * {@code bin/penni compress REQUEST.json --local --out DIR}: the launcher starts the server's own features without
 * Kafka, plus this bundle, with the framework properties {@value #REQUEST} and {@value #OUT}. Once every built-in
 * stage service is there, this component runs the request through them with the job core's runner
 * ({@link LocalJob}), then sets {@value #STATUS} (0: completed, 1: failed) and stops the framework, which ends the
 * launcher. Nothing here wires a stage: the stages are the services the features registered.
 */
@Component(immediate = true)
public final class LocalJobComponent {

    /** Framework property: the request file. */
    public static final String REQUEST = "penni.local.request";
    /** Framework property: the folder the report and the model go to. */
    public static final String OUT = "penni.local.out";
    /**
     * System property the run sets to its exit status before it stops the framework (the launcher, outside the
     * framework, reads it; the two share no class, so each spells the name).
     */
    public static final String STATUS = "penni.local.status";
    /** System property the run sets when it begins: every stage service is there. */
    public static final String STARTED = "penni.local.started";

    private static final Logger LOG = LoggerFactory.getLogger(LocalJobComponent.class);

    @Reference(target = "(" + CompressionStage.STAGE + "=" + StageNames.PRETRAIN + ")")
    private CompressionStage pretrain;
    @Reference(target = "(" + CompressionStage.STAGE + "=" + StageNames.DECOMPOSE + ")")
    private CompressionStage decompose;
    @Reference(target = "(" + CompressionStage.STAGE + "=" + StageNames.RETRAIN + ")")
    private CompressionStage retrain;
    @Reference(target = "(" + CompressionStage.STAGE + "=" + StageNames.PRUNE + ")")
    private CompressionStage prune;
    @Reference(target = "(" + CompressionStage.STAGE + "=" + StageNames.FINETUNE + ")")
    private CompressionStage finetune;
    @Reference(target = "(" + CompressionStage.STAGE + "=" + StageNames.SHRINK + ")")
    private CompressionStage shrink;
    @Reference(target = "(" + CompressionStage.STAGE + "=" + StageNames.EVALUATE + ")")
    private CompressionStage evaluate;
    // greedy: the highest-ranked store wins, and a better one appearing (the S3 store, once its configuration
    // arrives) restarts this component on it, so every stage of the container uses the same one
    @Reference(policyOption = ReferencePolicyOption.GREEDY)
    private ArtifactStore store;

    private final ServiceNames strategies = new ServiceNames(PruningStrategy.NAME);
    private final Map<String, PruningStrategy> strategyByName = new java.util.concurrent.ConcurrentHashMap<>();
    private final ServiceNames backends = new ServiceNames(InferenceBackend.NAME);
    private final AtomicBoolean cancelled = new AtomicBoolean();

    @Activate
    void activate(BundleContext context) {
        Optional<String> request = Optional.ofNullable(context.getProperty(REQUEST));
        Optional<String> out = Optional.ofNullable(context.getProperty(OUT));
        if (request.isEmpty() || out.isEmpty()) {
            LOG.info("no local run asked for ({} and {} are not set)", REQUEST, OUT);
            return;
        }
        Map<String, CompressionStage> stages = new LinkedHashMap<>();
        stages.put(StageNames.PRETRAIN, pretrain);
        stages.put(StageNames.DECOMPOSE, decompose);
        stages.put(StageNames.RETRAIN, retrain);
        stages.put(StageNames.PRUNE, prune);
        stages.put(StageNames.FINETUNE, finetune);
        stages.put(StageNames.SHRINK, shrink);
        stages.put(StageNames.EVALUATE, evaluate);
        // read when the request is checked: backends and strategies may register after this component activates
        Supplier<RequestEnvironment> environment = () -> new RequestEnvironment(
                path(context, "penni.data.root", "/usr/share/datasets"), path(context, "penni.model.root", "models"),
                Set.copyOf(Architectures.names()), strategies.now(), backends.now())
                .withRecipes(path(context, "penni.recipes.dir", Path.of(Optional.ofNullable(
                        context.getProperty("penni.config.dir")).orElse("runtime-config"), "recipes").toString()));
        LocalJob job = new LocalJob(stages, store, environment, this::checkParameters,
                new PrintStream(System.out, true), cancelled::get);
        Path requestFile = Path.of(request.get());
        Path outFolder = Path.of(out.get());
        Thread thread = new Thread(() -> {
            awaitStarted(context);
            System.setProperty(STARTED, "true");
            int status = job.run(requestFile, outFolder);
            if (cancelled.get()) {
                return; // a stage service went away mid-run: the next activation resumes from the records
            }
            System.setProperty(STATUS, String.valueOf(status));
            try {
                context.getBundle(0).stop();
            } catch (BundleException | IllegalStateException e) {
                LOG.warn("the framework did not stop after the local run: {}", e.getMessage());
            }
        }, "penni-local-run");
        thread.start();
    }

    @Deactivate
    void deactivate() {
        cancelled.set(true);
    }

    @Reference(service = PruningStrategy.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addStrategy(PruningStrategy strategy, Map<String, Object> properties) {
        strategies.added(properties);
        if (properties.get(PruningStrategy.NAME) instanceof String name) {
            strategyByName.put(name, strategy);
        }
    }

    void removeStrategy(PruningStrategy strategy, Map<String, Object> properties) {
        strategies.removed(properties);
        if (properties.get(PruningStrategy.NAME) instanceof String name) {
            strategyByName.remove(name, strategy);
        }
    }

    /** The named strategy's own check of a request's parameters; nothing to say when it is not registered. */
    private Optional<String> checkParameters(String name, Map<String, String> parameters) {
        PruningStrategy strategy = strategyByName.get(name);
        return strategy == null ? Optional.empty() : strategy.checkParameters(parameters);
    }

    @Reference(service = InferenceBackend.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addBackend(Map<String, Object> properties) {
        backends.added(properties);
    }

    void removeBackend(Map<String, Object> properties) {
        backends.removed(properties);
    }

    /** Waits until the framework has started every feature bundle (the system bundle is then active). */
    private static void awaitStarted(BundleContext context) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (context.getBundle(0).getState() != Bundle.ACTIVE && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Path path(BundleContext context, String property, String fallback) {
        return Path.of(Optional.ofNullable(context.getProperty(property)).orElse(fallback));
    }
}
