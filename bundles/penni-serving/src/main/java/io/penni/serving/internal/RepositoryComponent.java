package io.penni.serving.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.penni.api.event.EventPublisher;
import io.penni.api.event.EventType;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.inference.LoadOutcome;
import io.penni.model.ModelFiles;

/**
 * Runs the {@link ModelRepository} on the configured folder and backend, reading it every scan interval. Other
 * batch settings reach the served models without a failed request; another backend, folder or scan interval
 * restarts the repository (queued requests still run). A version whose deployment file names another backend runs
 * on that one, when it is registered; versions starting and stopping to serve are published as
 * {@code io.penni.model.deployed|undeployed} events where the workflow is there to publish them.
 */
@Component(service = RepositoryComponent.class, configurationPid = ServingConfig.PID)
@Designate(ocd = ServingConfig.class)
public final class RepositoryComponent {

    private static final Logger LOG = LoggerFactory.getLogger(RepositoryComponent.class);

    // the reference's name makes "backend.target" in the configuration its filter
    @Reference(target = "(penni.backend=cpu)")
    private InferenceBackend backend;

    @Reference
    private MeterRegistry registry;

    // every backend, for versions that name their own; bound before activation and changing while it runs
    private final List<InferenceBackend> backends = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EventPublisher events;

    private volatile ModelRepository repository;
    private ScheduledExecutorService scanner;
    private Path var;
    private ServingConfig running;

    @Activate
    void activate(ServingConfig config, BundleContext context) {
        var = Path.of(Optional.ofNullable(context.getProperty("penni.var.dir")).orElse("var"));
        start(config);
    }

    /**
     * Other batch settings apply without a failed request: every model is loaded again with them and swapped in.
     * Another folder or scan interval restarts the repository.
     */
    @Modified
    void modified(ServingConfig config) throws InterruptedException {
        if (config.repository().equals(running.repository()) && config.poll_millis() == running.poll_millis()) {
            running = config;
            repository.settings(settings(config));
            scanner.execute(this::scan);
            return;
        }
        deactivate();
        start(config);
    }

    private void start(ServingConfig config) {
        running = config;
        InferenceBackend runner = backend;
        repository = new ModelRepository(var.resolve(config.repository()), runner.info().name(),
                (name, graph) -> load(name.equals(runner.info().name()) ? runner : named(name), graph),
                settings(config), new ServingMetrics(registry), new Announcer());
        scanner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "penni-serving-repository");
            t.setDaemon(true);
            return t;
        });
        scanner.scheduleWithFixedDelay(this::scan, 0, Math.max(50, config.poll_millis()), TimeUnit.MILLISECONDS);
        LOG.info("serving the models in {} with the {} backend", repository.root(), runner.info().name());
    }

    private static BatchSettings settings(ServingConfig config) {
        return new BatchSettings(config.max_batch(),
                Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(Math.max(0, config.max_queue_delay_micros()))),
                config.queue_capacity(), Duration.ofMillis(Math.max(1, config.request_timeout_millis())));
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        scanner.shutdownNow();
        scanner.awaitTermination(30, TimeUnit.SECONDS);
        repository.close();
    }

    /** @return the repository */
    ModelRepository repository() {
        return repository;
    }

    private void scan() {
        try {
            repository.scan();
        } catch (RuntimeException | LinkageError e) {
            // a failed scan must not end the schedule (an exception escaping it would)
            LOG.warn("reading the model repository failed", e);
        }
    }

    @Reference(service = InferenceBackend.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindBackend(InferenceBackend added) {
        backends.add(added);
        backendsChanged();
    }

    void unbindBackend(InferenceBackend removed) {
        backends.remove(removed);
        backendsChanged();
    }

    private void backendsChanged() {
        ModelRepository r = repository;
        if (r != null) {
            r.backendsChanged();
        }
    }

    private InferenceBackend named(String name) {
        return backends.stream().filter(b -> b.info().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("its deployment asks for the '" + name + "' backend, "
                        + "which this server does not have (it has: " + String.join(", ", backends.stream()
                                .map(b -> b.info().name()).sorted().toList()) + ")"));
    }

    private static LoadOutcome load(InferenceBackend backend, Path graph) {
        return backend.load(ModelFiles.load(graph));
    }

    /** Publishes the repository's changes as events, while a publisher is there. */
    private final class Announcer implements ModelRepository.Listener {
        @Override
        public void deployed(String model, ModelVersion version) {
            Map<String, Object> data = describe(version);
            data.put("endpoint", "/v2/models/" + model + "/versions/" + version.version());
            publish(EventType.MODEL_DEPLOYED, model, data);
        }

        @Override
        public void undeployed(String model, ModelVersion version, String reason) {
            Map<String, Object> data = describe(version);
            data.put("reason", reason);
            publish(EventType.MODEL_UNDEPLOYED, model, data);
        }

        private Map<String, Object> describe(ModelVersion version) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("version", version.version());
            data.put("backend", version.backend());
            var shape = version.signature().inputShape();
            data.put("input", List.of(-1, shape.channels(), shape.height(), shape.width()));
            data.put("classes", version.signature().classes());
            return data;
        }

        private void publish(EventType type, String model, Map<String, Object> data) {
            EventPublisher publisher = events;
            if (publisher != null) {
                publisher.publish(type, model, data);
            }
        }
    }
}
