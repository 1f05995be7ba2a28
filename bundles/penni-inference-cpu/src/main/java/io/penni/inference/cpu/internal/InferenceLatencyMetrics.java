package io.penni.inference.cpu.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Publishes {@code penni.inference.latency}: a timer per backend and network (both bounded: backends are few,
 * and a network's name is its architecture's), with a percentiles histogram so Prometheus can compute p95. Runs
 * recorded before a registry is bound are not kept.
 */
@Component(service = {MeterBinder.class, InferenceLatencyMetrics.class})
public final class InferenceLatencyMetrics implements MeterBinder {

    /** The meter's name. */
    public static final String LATENCY = "penni.inference.latency";

    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;

    @Override
    public void bindTo(MeterRegistry target) {
        registry = target;
        timers.clear();
    }

    /**
     * Records one run.
     *
     * @param backend the backend's name
     * @param model the network's name
     * @param nanos how long the run took
     */
    public void record(String backend, String model, long nanos) {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        timers.computeIfAbsent(backend + "\u0000" + model, k -> Timer.builder(LATENCY)
                .description("Wall-clock time of one batch through an inference backend")
                .tag("backend", backend).tag("model", model).publishPercentileHistogram()
                .register(r)).record(Duration.ofNanos(nanos));
    }
}
