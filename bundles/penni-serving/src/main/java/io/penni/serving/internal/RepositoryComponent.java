package io.penni.serving.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.inference.LoadOutcome;
import io.penni.model.ModelFiles;

/**
 * Runs the {@link ModelRepository} on the configured folder and backend, reading it every scan interval. Other
 * batch settings reach the served models without a failed request; another backend, folder or scan interval
 * restarts the repository (queued requests still run).
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
                graph -> load(runner, graph), settings(config), new ServingMetrics(registry));
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

    private static LoadOutcome load(InferenceBackend backend, Path graph) {
        return backend.load(ModelFiles.load(graph));
    }
}
