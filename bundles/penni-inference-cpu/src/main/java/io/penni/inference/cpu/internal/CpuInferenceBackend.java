package io.penni.inference.cpu.internal;

import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.penni.api.inference.BackendInfo;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.Model;
import io.penni.inference.cpu.CpuEngine;
import io.penni.inference.cpu.EngineOptions;

/** The CPU engine as the {@code cpu} inference backend; every run it serves is timed in the latency meter. */
@Component(service = InferenceBackend.class, configurationPid = "penni.inference.cpu",
        property = InferenceBackend.NAME + "=" + CpuEngine.BACKEND)
@Designate(ocd = CpuInferenceBackend.Config.class)
public final class CpuInferenceBackend implements InferenceBackend {

    /** Configuration of the CPU backend. */
    @ObjectClassDefinition(name = "PENNI CPU inference", description = "The CPU engine for decomposed, pruned models.")
    public @interface Config {
        /** @return threads per batch */
        @AttributeDefinition(name = "Threads", description = "Threads a batch runs on, the caller's included; "
                + "0 means one per core.")
        int threads() default 0;

        /** @return kernel sets */
        @AttributeDefinition(name = "Kernels", description = "MEASURED: each layer keeps the faster of the Vector "
                + "API and plain loops; PLAIN or VECTOR: only that one.")
        EngineOptions.KernelSet kernels() default EngineOptions.KernelSet.MEASURED;

        /** @return tuning time per layer */
        @AttributeDefinition(name = "Tuning per layer (ms)", description = "Time spent at load timing each "
                + "layer's candidate kernels on its real shape; 0: no timing, kernels chosen by rule from each "
                + "layer's shape and density, the same in every process.")
        int tune_millis() default 0;

        /** @return coefficient paths */
        @AttributeDefinition(name = "Coefficients", description = "MEASURED: each decomposed layer keeps the "
                + "faster of its sparse and dense coefficient paths; SPARSE: always compressed rows (least "
                + "memory); DENSE: always a dense matrix product.")
        EngineOptions.Coefficients coefficients() default EngineOptions.Coefficients.MEASURED;
    }

    @Reference
    private InferenceLatencyMetrics metrics;

    private CpuEngine engine;

    @Activate
    void activate(Config config) {
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        engine = new CpuEngine(new EngineOptions(threads, config.kernels(), Duration.ofMillis(
                Math.max(0, config.tune_millis())), EngineOptions.Split.MEASURED, config.coefficients()));
    }

    @Deactivate
    void deactivate() {
        engine.close();
    }

    @Override
    public BackendInfo info() {
        return engine.info();
    }

    @Override
    public LoadOutcome load(Model model) {
        LoadOutcome outcome = engine.load(model);
        if (outcome instanceof LoadOutcome.Loaded loaded) {
            return new LoadOutcome.Loaded(new TimedModel(loaded.model(), CpuEngine.BACKEND, model.network().name(),
                    metrics));
        }
        return outcome;
    }
}
