package io.penni.metrics.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.penni.api.compute.TensorRuntime;

/**
 * ND4J's off-heap memory as JavaCPP counts it: what is allocated, what may be, and the process's physical
 * memory, so a dashboard shows how close training runs to its cap.
 */
@Component(service = MeterBinder.class)
public final class TensorRuntimeMetrics implements MeterBinder {

    @Reference
    private TensorRuntime runtime;

    @Override
    public void bindTo(MeterRegistry registry) {
        TensorRuntime r = runtime;
        Gauge.builder("penni.nd4j.offheap.used", r, TensorRuntime::offHeapBytes).baseUnit(BaseUnits.BYTES)
                .description("Off-heap memory JavaCPP has allocated itself (ND4J's arrays are counted in "
                        + "penni.process.physical)").register(registry);
        Gauge.builder("penni.nd4j.offheap.max", r, TensorRuntime::maxOffHeapBytes).baseUnit(BaseUnits.BYTES)
                .description("JavaCPP's cap on what it allocates itself (penni.offheap.max)").register(registry);
        Gauge.builder("penni.process.physical.max", r, TensorRuntime::maxPhysicalBytes).baseUnit(BaseUnits.BYTES)
                .description("Cap on the process's resident memory, checked on every ND4J allocation "
                        + "(penni.offheap.physical.max)").register(registry);
        Gauge.builder("penni.process.physical", r, TensorRuntime::physicalBytes).baseUnit(BaseUnits.BYTES)
                .description("Resident physical memory of the server process (JavaCPP physicalBytes)")
                .register(registry);
        Gauge.builder("penni.nd4j.threads", r, TensorRuntime::threads).baseUnit("threads")
                .description("Threads ND4J's native kernels use").tag("build", r.nativeBuild()).register(registry);
    }
}
