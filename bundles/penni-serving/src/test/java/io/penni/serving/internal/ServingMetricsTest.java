package io.penni.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The request meters, built once per model, still count every request by model and outcome. */
class ServingMetricsTest {

    @Test
    void everyAnsweredRequestCountsUnderItsModelAndOutcomeAndOnlySuccessesAreTimed() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ServingMetrics metrics = new ServingMetrics(registry);
        metrics.answered("a", ServingMetrics.Outcome.OK, TimeUnit.MILLISECONDS.toNanos(2));
        metrics.answered("a", ServingMetrics.Outcome.OK, TimeUnit.MILLISECONDS.toNanos(4));
        metrics.answered("a", ServingMetrics.Outcome.OVERLOADED, 1);
        metrics.answered("b", ServingMetrics.Outcome.BAD_REQUEST, 1);
        assertEquals(2.0, registry.get(ServingMetrics.REQUESTS).tags("model", "a", "outcome", "ok").counter().count());
        assertEquals(1.0, registry.get(ServingMetrics.REQUESTS).tags("model", "a", "outcome", "overloaded").counter()
                .count());
        assertEquals(1.0, registry.get(ServingMetrics.REQUESTS).tags("model", "b", "outcome", "bad_request")
                .counter().count());
        assertEquals(2, registry.get(ServingMetrics.REQUEST_LATENCY).tag("model", "a").timer().count());
        assertEquals(6.0, registry.get(ServingMetrics.REQUEST_LATENCY).tag("model", "a").timer()
                .totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(0, registry.get(ServingMetrics.REQUEST_LATENCY).tag("model", "b").timer().count());
    }
}
