package io.penni.inference.cpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class InferenceLatencyMetricsTest {

    @Test
    void runsAreRecordedPerBackendAndModelInSeconds() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InferenceLatencyMetrics metrics = new InferenceLatencyMetrics();
        metrics.bindTo(registry);
        metrics.record("cpu", "vgg-small", 2_000_000);
        metrics.record("cpu", "vgg-small", 4_000_000);
        metrics.record("cpu", "resnet-small", 1_000_000);
        Timer vgg = registry.get("penni.inference.latency").tags("backend", "cpu", "model", "vgg-small").timer();
        assertEquals(2, vgg.count());
        assertEquals(0.006, vgg.totalTime(java.util.concurrent.TimeUnit.SECONDS), 1e-9);
        assertEquals(1, registry.get("penni.inference.latency").tags("model", "resnet-small").timer().count());
    }
}
