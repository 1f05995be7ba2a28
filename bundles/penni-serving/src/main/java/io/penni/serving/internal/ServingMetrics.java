package io.penni.serving.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The endpoint's meters. Latencies and batch sizes are percentile histograms: Prometheus computes p50 / p99 from
 * their buckets ({@code histogram_quantile}); client-side percentiles would need HdrHistogram, which the container
 * does not carry. Tags are bounded: {@code model} is a folder of the repository (a request for an unknown
 * model counts as {@value #UNKNOWN_MODEL}), {@code outcome} one of {@link Outcome}, {@code backend} a backend's
 * name.
 */
final class ServingMetrics {

    /** Requests answered, by model and outcome. */
    static final String REQUESTS = "penni.inference.requests";
    /** From the request's arrival to its answer, successful requests, by model. */
    static final String REQUEST_LATENCY = "penni.inference.request.latency";
    /** Compute time of each batch, by model and backend. */
    static final String COMPUTE_LATENCY = "penni.inference.compute.latency";
    /** Images per batch, by model. */
    static final String BATCH_SIZE = "penni.inference.batch.size";
    /** Requests waiting in a model's queue. */
    static final String QUEUE_DEPTH = "penni.inference.queue.depth";
    /** The model tag of requests for a model the repository does not have. */
    static final String UNKNOWN_MODEL = "unknown";

    /** How a request ended. */
    enum Outcome {
        /** Answered with the outputs. */
        OK,
        /** Refused for its content (4xx). */
        BAD_REQUEST,
        /** The model or version is not served (404). */
        NOT_FOUND,
        /** The queue was full (503). */
        OVERLOADED,
        /** The model had no version ready: not loaded yet, or being replaced (503). */
        UNAVAILABLE,
        /** It waited past its timeout (504). */
        TIMEOUT,
        /** The backend failed (500). */
        ERROR;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    // each model's meters, built once: registering on every request looked its meter up by name and tags each time
    private final Map<String, RequestMeters> requestMeters = new ConcurrentHashMap<>();

    /** One model's request counters, by outcome, and its latency timer. */
    private record RequestMeters(Counter[] byOutcome, Timer latency) {
    }

    /**
     * Meters in a registry.
     *
     * @param registry where they go
     */
    ServingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Counts an answered request and, when it succeeded, times it.
     *
     * @param model the model's name, or {@link #UNKNOWN_MODEL}
     * @param outcome how it ended
     * @param nanos since it arrived
     */
    void answered(String model, Outcome outcome, long nanos) {
        RequestMeters meters = requestMeters.computeIfAbsent(model, this::requestMeters);
        meters.byOutcome()[outcome.ordinal()].increment();
        if (outcome == Outcome.OK) {
            meters.latency().record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private RequestMeters requestMeters(String model) {
        Counter[] counters = new Counter[Outcome.values().length];
        for (Outcome o : Outcome.values()) {
            counters[o.ordinal()] = Counter.builder(REQUESTS).description("Inference requests answered, by outcome")
                    .baseUnit("requests").tag("model", model).tag("outcome", o.tag()).register(registry);
        }
        Timer latency = Timer.builder(REQUEST_LATENCY).description("Inference request latency, arrival to answer")
                .tag("model", model).publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        return new RequestMeters(counters, latency);
    }

    /**
     * The listener that meters a model's batches.
     *
     * @param model the model's name
     * @param backend the backend that runs it
     * @return the listener
     */
    DynamicBatcher.BatchListener batches(String model, String backend) {
        Timer compute = Timer.builder(COMPUTE_LATENCY).description("Compute time of one batch")
                .tag("model", model).tag("backend", backend).publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        DistributionSummary sizes = DistributionSummary.builder(BATCH_SIZE).description("Images per batch")
                .baseUnit("images").tag("model", model).publishPercentileHistogram().minimumExpectedValue(1.0)
                .maximumExpectedValue(1024.0).register(registry);
        return (images, nanos) -> {
            compute.record(nanos, TimeUnit.NANOSECONDS);
            sizes.record(images);
        };
    }

    /**
     * Watches a model's queue depth until the returned handle is closed.
     *
     * @param model the model's name
     * @param depth the depth now
     * @return removes the gauge
     */
    AutoCloseable queueDepth(String model, Supplier<Number> depth) {
        Gauge gauge = Gauge.builder(QUEUE_DEPTH, depth).description("Requests waiting in the model's queue")
                .baseUnit("requests").tag("model", model).strongReference(true).register(registry);
        return () -> registry.remove(gauge);
    }
}
