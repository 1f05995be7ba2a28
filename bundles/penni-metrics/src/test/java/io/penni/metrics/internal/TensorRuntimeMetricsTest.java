package io.penni.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.penni.api.compute.TensorRuntime;

class TensorRuntimeMetricsTest {

    /** A runtime whose figures the test sets. */
    static final class FixedRuntime implements TensorRuntime {
        long used = 1000;

        @Override public String backend() { return "CPU"; }
        @Override public String nativeBuild() { return "linux-x86_64-avx2"; }
        @Override public long maxOffHeapBytes() { return 8L << 30; }
        @Override public long maxPhysicalBytes() { return 0; }
        @Override public long offHeapBytes() { return used; }
        @Override public long physicalBytes() { return 123_456_789; }
        @Override public int threads() { return 2; }
    }

    @Test
    void gaugesFollowTheRuntimeWithBaseUnitBytes() throws Exception {
        FixedRuntime runtime = new FixedRuntime();
        TensorRuntimeMetrics metrics = new TensorRuntimeMetrics();
        Field field = TensorRuntimeMetrics.class.getDeclaredField("runtime");
        field.setAccessible(true);
        field.set(metrics, runtime);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);

        assertEquals(1000.0, registry.get("penni.nd4j.offheap.used").gauge().value());
        runtime.used = 5000;
        assertEquals(5000.0, registry.get("penni.nd4j.offheap.used").gauge().value());
        assertEquals((double) (8L << 30), registry.get("penni.nd4j.offheap.max").gauge().value());
        assertEquals(123_456_789.0, registry.get("penni.process.physical").gauge().value());
        assertEquals("bytes", registry.get("penni.process.physical").gauge().getId().getBaseUnit());
        assertEquals(2.0, registry.get("penni.nd4j.threads").tag("build", "linux-x86_64-avx2").gauge().value());
    }
}
