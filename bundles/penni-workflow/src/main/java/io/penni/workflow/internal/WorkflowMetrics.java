package io.penni.workflow.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

import org.apache.kafka.clients.consumer.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.penni.api.job.JobStatus;

/**
 * The workflow's meters: stage durations, jobs by outcome and failures by stage and kind, jobs queued and running
 * (from the job table), the last completed job's accuracy change and reductions, training throughput, the sparsity
 * and size of the last model each stage produced, and the Kafka clients' own meters for the intake's and the stage
 * worker's consumers (Micrometer's {@link KafkaClientMetrics}: among them the records lag of every stage topic
 * partition, {@code kafka_consumer_fetch_manager_records_lag}). Tags are bounded: stage names, outcomes, failure
 * kinds and statuses, never job ids.
 */
final class WorkflowMetrics implements MeterBinder, AutoCloseable {

    /** How often the Kafka meters look for metrics a client added (a partition assigned, a topic first fetched). */
    private static final Duration KAFKA_REFRESH = Duration.ofSeconds(10);

    private final AtomicReference<MeterRegistry> registry = new AtomicReference<>();
    private final Map<String, double[]> lastModel = new ConcurrentHashMap<>();
    private final Set<KafkaClientMetrics> consumers = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService kafkaRefresh = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "penni-kafka-meters");
        t.setDaemon(true);
        return t;
    });
    /** The last completed job: accuracy change, conv params reduction, conv MACs reduction (NaN before one). */
    private final double[] lastJob = {Double.NaN, Double.NaN, Double.NaN};
    private volatile Map<JobStatus, Long> jobsByStatus = Map.of();
    /** Per stage: tasks running here now, and the Unix time in seconds of the last sign of progress. */
    private final Map<String, double[]> stageActivity = new ConcurrentHashMap<>();

    @Override
    public void bindTo(MeterRegistry meterRegistry) {
        registry.set(meterRegistry);
        lastModel.keySet().forEach(stage -> gauges(meterRegistry, stage));
        for (JobStatus status : new JobStatus[] {JobStatus.QUEUED, JobStatus.RUNNING}) {
            Gauge.builder("penni.active.jobs", this, m -> m.jobsByStatus.getOrDefault(status, 0L))
                    .description("Jobs the job table (penni.jobs topic) shows queued or running, over every container")
                    .baseUnit("jobs").tag("status", status.name().toLowerCase(java.util.Locale.ROOT))
                    .register(meterRegistry);
        }
        lastJobGauge(meterRegistry, "penni.last.job.accuracy.change", 0, "Top-1 accuracy of the last job this "
                + "container completed minus its baseline's (fraction; negative: the compressed model is worse)");
        lastJobGauge(meterRegistry, "penni.last.job.conv.params.reduction", 1, "Share of convolution parameters the "
                + "last job this container completed removed (0.9: 90 % fewer)");
        lastJobGauge(meterRegistry, "penni.last.job.conv.macs.reduction", 2, "Share of convolution multiply-"
                + "accumulates the last job this container completed removed");
        stageActivity.keySet().forEach(stage -> activityGauges(meterRegistry, stage));
        consumers.forEach(c -> c.bindTo(meterRegistry));
    }

    /**
     * A task of a stage started running here; its start counts as progress.
     *
     * @param stage the stage
     */
    void stageRunning(String stage) {
        activity(stage, +1);
    }

    /**
     * A task of a stage stopped running here (it completed, failed or was cancelled).
     *
     * @param stage the stage
     */
    void stageStopped(String stage) {
        activity(stage, -1);
    }

    /**
     * A running stage showed progress (an iteration, an epoch's end, a message).
     *
     * @param stage the stage
     */
    void progress(String stage) {
        activity(stage, 0);
    }

    private void activity(String stage, int change) {
        boolean[] fresh = {false};
        double[] a = stageActivity.computeIfAbsent(stage, s -> {
            fresh[0] = true;
            return new double[2];
        });
        synchronized (a) {
            a[0] = Math.max(0, a[0] + change);
            a[1] = System.currentTimeMillis() / 1000.0;
        }
        MeterRegistry r = registry.get();
        if (fresh[0] && r != null) {
            activityGauges(r, stage);
        }
    }

    private void activityGauges(MeterRegistry r, String stage) {
        double[] a = stageActivity.get(stage);
        Gauge.builder("penni.stage.running", a, v -> {
            synchronized (v) {
                return v[0];
            }
        }).description("Tasks of this stage running in this container now").baseUnit("tasks").tag("stage", stage)
                .register(r);
        Gauge.builder("penni.stage.last.progress", a, v -> {
            synchronized (v) {
                return v[1];
            }
        }).description("When this stage last showed progress here (start, iteration, epoch end), Unix time")
                .baseUnit("seconds").tag("stage", stage).register(r);
    }

    /** Meters that end when their client closes. */
    interface Binding extends AutoCloseable {
        @Override
        void close();
    }

    private void lastJobGauge(MeterRegistry r, String name, int index, String description) {
        ToDoubleFunction<double[]> value = a -> {
            synchronized (a) {
                return a[index];
            }
        };
        Gauge.builder(name, lastJob, value).description(description).baseUnit("ratio").register(r);
    }

    /**
     * Meters a workflow consumer with Micrometer's Kafka binder until the returned handle is closed (with the
     * consumer): its fetch lag per topic partition, fetch rates, commit latency and the rest of the client's metrics.
     *
     * @param consumer the consumer
     * @param loop which loop owns it ({@code intake}, {@code stages}), as the {@code loop} tag
     * @return closes the binder and removes its meters
     */
    Binding kafkaConsumer(Consumer<?, ?> consumer, String loop) {
        KafkaClientMetrics binder = new KafkaClientMetrics(consumer, Tags.of("loop", loop), kafkaRefresh, KAFKA_REFRESH);
        consumers.add(binder);
        MeterRegistry r = registry.get();
        if (r != null) {
            binder.bindTo(r);
        }
        return () -> {
            consumers.remove(binder);
            binder.close();
        };
    }

    /**
     * Counts jobs in the job table by status.
     *
     * @param counts every job's latest status, counted
     */
    void jobTable(Map<JobStatus, Long> counts) {
        jobsByStatus = Map.copyOf(counts);
    }

    /**
     * Records the last job this container completed.
     *
     * @param headline its report's headline (accuracies, conv params and MACs before and after)
     */
    void jobCompleted(Map<String, Object> headline) {
        double change = headline.get("compressedAccuracy") instanceof Number after
                && headline.get("baselineAccuracy") instanceof Number before
                        ? after.doubleValue() - before.doubleValue() : Double.NaN;
        synchronized (lastJob) {
            lastJob[0] = change;
            lastJob[1] = reduction(headline.get("convParamsBefore"), headline.get("convParamsAfter"));
            lastJob[2] = reduction(headline.get("convMacsBefore"), headline.get("convMacsAfter"));
        }
    }

    private static double reduction(Object before, Object after) {
        if (!(before instanceof Number b) || !(after instanceof Number a) || b.doubleValue() == 0) {
            return Double.NaN;
        }
        return 1 - a.doubleValue() / b.doubleValue();
    }

    /**
     * Counts a job that failed.
     *
     * @param stage the stage it failed in
     * @param kind why, as a bounded tag (see {@link StageTaskRunner.Failure})
     */
    void jobFailed(String stage, String kind) {
        MeterRegistry r = registry.get();
        if (r != null) {
            Counter.builder("penni.job.failures").description("Jobs that failed, by the stage they failed in and the "
                    + "kind of failure (stage_error, crashed, retries_exhausted, unreadable_task, report_error)")
                    .baseUnit("failures").tags("stage", stage, "reason", kind).register(r).increment();
        }
    }

    @Override
    public void close() {
        consumers.forEach(KafkaClientMetrics::close);
        consumers.clear();
        kafkaRefresh.shutdownNow();
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
            // not penni.jobs.*: that is the job table's topic
            Counter.builder("penni.ended.jobs").description("Jobs that ended, by outcome (completed, failed, rejected)")
                    .baseUnit("jobs").tag("outcome", outcome).register(r).increment();
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
                    + "followed (retried, exhausted: the job failed)").baseUnit("retries")
                    .tags("stage", stage, "outcome", outcome).register(r).increment();
        }
    }

    /**
     * Counts a stage task that could not be read and went to the stage DLQ. Named apart from the DLQ topic
     * ({@code penni.stage.dlq}), so that a search for one does not find the other.
     */
    void poisonTask(String stage) {
        MeterRegistry r = registry.get();
        if (r != null) {
            Counter.builder("penni.stage.unreadable.tasks").description("Stage tasks that could not be read, sent to "
                    + "the stage DLQ topic").baseUnit("tasks").tag("stage", stage).register(r).increment();
        }
    }

    /** Counts a copy of a stage task whose results were committed before (ignored). */
    void duplicateTask(String stage) {
        MeterRegistry r = registry.get();
        if (r != null) {
            Counter.builder("penni.stage.duplicates").description("Copies of stage tasks already handed on, ignored")
                    .baseUnit("duplicates").tag("stage", stage).register(r).increment();
        }
    }

    /** Counts a consumer loop started again after it failed. */
    void loopRestarted(String loop) {
        MeterRegistry r = registry.get();
        if (r != null) {
            Counter.builder("penni.workflow.restarts").description("Consumer loops (request intake, stage worker) "
                    + "started again after they failed").baseUnit("restarts").tag("loop", loop).register(r).increment();
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
                .description("Fraction of zero coefficients in the last model this stage produced").baseUnit("ratio")
                .tag("stage", stage).register(r);
        Gauge.builder("penni.model.size", lastModel, m -> m.getOrDefault(stage, new double[] {0, Double.NaN})[1])
                .description("Parameters of the last model this stage produced").baseUnit("parameters")
                .tag("stage", stage).register(r);
    }
}
