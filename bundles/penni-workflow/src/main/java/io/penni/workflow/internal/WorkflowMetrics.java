package io.penni.workflow.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The workflow's meters: stage durations, jobs by outcome, training throughput, and the sparsity and size of the
 * last model each stage produced. Tags are bounded: stage names and outcomes only, never job ids.
 */
final class WorkflowMetrics implements MeterBinder {

    private final AtomicReference<MeterRegistry> registry = new AtomicReference<>();
    private final Map<String, double[]> lastModel = new ConcurrentHashMap<>();

    @Override
    public void bindTo(MeterRegistry meterRegistry) {
        registry.set(meterRegistry);
        lastModel.keySet().forEach(stage -> gauges(meterRegistry, stage));
    }

    void stageEnded(String stage, String outcome, double seconds) {
        MeterRegistry r = registry.get();
        if (r != null) {
            Timer.builder("penni.stage.duration").description("Wall time of a stage run")
                    .tags("stage", stage, "outcome", outcome).publishPercentileHistogram(false).register(r)
                    .record((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
        }
    }

    void jobEnded(String outcome) {
        MeterRegistry r = registry.get();
        if (r != null) {
            Counter.builder("penni.jobs.ended").description("Jobs that ended, by outcome (completed, failed, rejected)")
                    .tag("outcome", outcome).register(r).increment();
        }
    }

    /**
     * Counts a stage that failed with a passing error: {@code retried} when it runs again, {@code exhausted} when its
     * attempts ran out and its job failed.
     */
    void stageRetries(String stage, String outcome) {
        MeterRegistry r = registry.get();
        if (r != null) {
            Counter.builder("penni.stage.retries").description("Stage runs that failed with a passing error, by what "
                    + "followed (retried, exhausted: the job failed)").tags("stage", stage, "outcome", outcome)
                    .register(r).increment();
        }
    }

    /** Counts a stage task that could not be read and went to the stage DLQ. */
    void poisonTask(String stage) {
        MeterRegistry r = registry.get();
        if (r != null) {
            Counter.builder("penni.stage.dlq").description("Stage tasks that could not be read, sent to the stage DLQ")
                    .tag("stage", stage).register(r).increment();
        }
    }

    /** Counts a copy of a stage task whose results were committed before (ignored). */
    void duplicateTask(String stage) {
        MeterRegistry r = registry.get();
        if (r != null) {
            Counter.builder("penni.stage.duplicates").description("Copies of stage tasks already handed on, ignored")
                    .tag("stage", stage).register(r).increment();
        }
    }

    /** Counts a consumer loop started again after it failed. */
    void loopRestarted(String loop) {
        MeterRegistry r = registry.get();
        if (r != null) {
            Counter.builder("penni.workflow.restarts").description("Consumer loops (request intake, stage worker) "
                    + "started again after they failed").tag("loop", loop).register(r).increment();
        }
    }

    void trainingImages(String stage, long images) {
        MeterRegistry r = registry.get();
        if (r != null && images > 0) {
            Counter.builder("penni.training.images").description("Images trained on; its rate is the throughput")
                    .baseUnit("images").tag("stage", stage).register(r).increment(images);
        }
    }

    /** Records the last model a stage produced: its coefficient sparsity and parameter count. */
    void model(String stage, double sparsity, double params) {
        boolean fresh = !lastModel.containsKey(stage);
        lastModel.put(stage, new double[] {sparsity, params});
        MeterRegistry r = registry.get();
        if (fresh && r != null) {
            gauges(r, stage);
        }
    }

    private void gauges(MeterRegistry r, String stage) {
        Gauge.builder("penni.model.sparsity", lastModel, m -> m.getOrDefault(stage, new double[] {Double.NaN, 0})[0])
                .description("Fraction of zero coefficients in the last model this stage produced")
                .tag("stage", stage).register(r);
        Gauge.builder("penni.model.params", lastModel, m -> m.getOrDefault(stage, new double[] {0, Double.NaN})[1])
                .description("Parameters of the last model this stage produced").tag("stage", stage).register(r);
    }
}
