package io.penni.workflow.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.event.EventType;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.JobStatus;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.api.stage.TrainingSummary;
import io.penni.pipeline.CompressionRequests;
import io.penni.pipeline.JobReport;
import io.penni.pipeline.ReportAssembler;
import io.penni.pipeline.StageRunner;
import io.penni.workflow.StageTask;
import io.penni.workflow.Topics;
import io.penni.workflow.WorkflowJson;

/**
 * Runs one stage task on a worker thread and prepares what must be published when it ends. Progress goes out at
 * once (throttled); the results are returned as records, which the {@link StageWorker} publishes in one
 * transaction with the task's offset.
 */
final class StageTaskRunner {

    private static final Logger LOG = LoggerFactory.getLogger(StageTaskRunner.class);
    private final JobDeployer deployer;

    /**
     * What a task left to publish.
     *
     * @param records events, the next task or the completion, and the job's state
     * @param retryable whether the task failed in a way that may pass on another try (nothing to publish then)
     * @param reason why it failed, when it did
     * @param outcome "completed" or "failed", for metrics
     * @param failure the stage and kind of a job's failure, for metrics
     */
    record Result(List<ProducerRecord<String, byte[]>> records, boolean retryable, String reason, String outcome,
            Optional<Failure> failure) {

        Result(List<ProducerRecord<String, byte[]>> records, boolean retryable, String reason, String outcome) {
            this(records, retryable, reason, outcome, Optional.empty());
        }
    }

    /**
     * A job's failure as the metrics tag it: the stage and one of a few kinds, never the free-text reason, so that
     * the tags stay bounded.
     *
     * @param stage the stage it failed in
     * @param kind {@link #STAGE_ERROR}, {@link #CRASHED}, {@link #RETRIES_EXHAUSTED}, {@link #UNREADABLE_TASK} or
     *        {@link #REPORT_ERROR}
     */
    record Failure(String stage, String kind) {
        /** The stage answered with a failure that another try would not change (bad input, a diverged run...). */
        static final String STAGE_ERROR = "stage_error";
        /** The stage threw instead of answering. */
        static final String CRASHED = "crashed";
        /** Passing errors until the attempts ran out. */
        static final String RETRIES_EXHAUSTED = "retries_exhausted";
        /** The stage task could not be read (it went to the stage DLQ). */
        static final String UNREADABLE_TASK = "unreadable_task";
        /** Every stage completed, the report could not be assembled. */
        static final String REPORT_ERROR = "report_error";
    }

    /** {@link Result#outcome()} of a stage that completed. */
    static final String COMPLETED = "completed";
    /** {@link Result#outcome()} of a copy of a task whose results were committed before: nothing is published. */
    static final String DUPLICATE = "duplicate";

    private final ArtifactStore store;
    private final StageRunner stageRunner;
    private final JobEvents events;
    private final Producer<String, byte[]> progress;
    private final WorkflowMetrics metrics;
    private final long progressIntervalMillis;

    StageTaskRunner(StageRunner stageRunner, JobEvents events, Producer<String, byte[]> progress,
            WorkflowMetrics metrics, long progressIntervalMillis, JobDeployer deployer) {
        this.deployer = deployer;
        this.store = stageRunner.store();
        this.stageRunner = stageRunner;
        this.events = events;
        this.progress = progress;
        this.metrics = metrics;
        this.progressIntervalMillis = progressIntervalMillis;
    }

    /** Announces a job waiting for a slot. */
    void queued(StageTask task, String why) {
        progress.send(events.event(EventType.STAGE_QUEUED, task.jobId(), Optional.of(task.stage()), Map.of("reason", why)));
        progress.send(JobEvents.state(JobEvents.state(task.jobId(), JobStatus.QUEUED, Optional.of(task.stage()),
                completed(task), why, task.artifacts())));
    }

    /**
     * Reads a stage task message and the request it carries, once per delivery.
     *
     * @param value the message's bytes
     * @return the task and its request
     * @throws IOException when either cannot be read: the task is poison
     */
    static Job read(byte[] value) throws IOException {
        if (value == null) {
            throw new IOException("the message has no value");
        }
        StageTask task = WorkflowJson.readTask(value);
        try {
            return new Job(task, CompressionRequests.read(task.request(), task.jobId()));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * A stage task and its request, read once.
     *
     * @param task the task as it travels
     * @param request its request, defaults filled in
     */
    record Job(StageTask task, CompressionRequest request) {
    }

    /** @return the workflow's meters, which the stage worker's consumer reports to */
    WorkflowMetrics metrics() {
        return metrics;
    }

    Result run(Job job, StageBinding binding, int attempt, BooleanSupplier cancelled) {
        StageTask task = job.task();
        CompressionRequest request = job.request();
        String stage = task.stage();
        if (store.find(task.jobId(), handOffName(task)).isPresent()) {
            // its results were committed before for this submission: this message is a copy, and publishing them
            // again would hand the job to the next stage twice (the job submitted again has a submission of its own:
            // its stages reuse their records and hand it on again)
            LOG.warn("job {} stage {}: a duplicate task, its stage was handed on before; ignored", task.jobId(), stage);
            metrics.duplicateTask(stage);
            return new Result(List.of(), false, "a duplicate of a task handed on before", DUPLICATE);
        }
        ProgressThrottle throttle = new ProgressThrottle(progressIntervalMillis);
        AtomicReference<String> setAside = new AtomicReference<>();
        metrics.stageRunning(stage);
        StageRunner.Run run;
        try {
            run = stageRunner.run(request, stage, binding.stage(), task.artifacts(), new StageRunner.Observer() {
                @Override
                public void recordSetAside(String why) {
                    LOG.info("job {} stage {}: {}", task.jobId(), stage, why);
                    setAside.set(why);
                }

                @Override
                public void started(boolean reused) {
                    announceStart(task, attempt, reused, setAside.get());
                }

                @Override
                public void progress(StageProgress p) {
                    metrics.progress(stage);
                    publishProgress(task, stage, p, throttle);
                }
            }, cancelled);
        } finally {
            metrics.stageStopped(stage);
        }
        StageOutcome outcome = run.outcome();
        double seconds = run.seconds();
        if (outcome instanceof StageOutcome.Failed f) {
            metrics.stageEnded(stage, f.retryable() ? "interrupted" : "failed", seconds);
            if (f.retryable()) {
                return new Result(List.of(), true, f.reason(), "interrupted");
            }
            return failed(task, f.reason(), Failure.STAGE_ERROR);
        }
        StageOutcome.Completed c = (StageOutcome.Completed) outcome;
        metrics.stageEnded(stage, "completed", seconds);
        record(stage, c);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("seconds", seconds);
        data.put("outputs", refs(c.outputs()));
        data.put("summary", headline(c));
        records.add(events.event(EventType.STAGE_COMPLETED, task.jobId(), Optional.of(stage), data));
        List<String> done = new ArrayList<>(completed(task));
        done.add(stage);
        if (!task.last()) {
            StageTask next = task.next(c.outputs());
            String nextStage = next.stage();
            records.add(new ProducerRecord<>(Topics.stage(nextStage), task.jobId(), WorkflowJson.write(next)));
            records.add(JobEvents.state(JobEvents.state(task.jobId(), JobStatus.QUEUED, Optional.of(nextStage), done,
                    stage + " completed; waiting for " + nextStage, next.artifacts())));
            return new Result(records, false, "", COMPLETED);
        }
        try {
            JobReport report = ReportAssembler.assemble(store, request, task.plan());
            metrics.jobCompleted(report.headline());
            // the last stage has no next task: its outputs join the job's artifacts directly
            Map<String, ArtifactRef> artifacts = new LinkedHashMap<>(task.artifactsWith(c.outputs()));
            artifacts.putAll(report.artifacts());
            Map<String, Object> completion = new LinkedHashMap<>();
            completion.put("model", ref(artifacts.get("model")));
            completion.put("weights", ref(artifacts.get("weights")));
            completion.put(ReportAssembler.REPORT_JSON, ref(report.artifacts().get(ReportAssembler.REPORT_JSON)));
            completion.put(ReportAssembler.REPORT_MARKDOWN, ref(report.artifacts().get(ReportAssembler.REPORT_MARKDOWN)));
            completion.put(ReportAssembler.MODEL_ONNX, ref(report.artifacts().get(ReportAssembler.MODEL_ONNX)));
            completion.put("headline", report.headline());
            deployer.deploy(task.jobId(), task.request(), store, artifacts).ifPresent(d -> completion.put("deployed", d));
            records.add(events.event(EventType.JOB_COMPLETED, task.jobId(), Optional.empty(), completion));
            records.add(JobEvents.state(JobEvents.state(task.jobId(), JobStatus.COMPLETED, Optional.of(stage), done,
                    "completed: " + report.oneLine(), artifacts)));
            return new Result(records, false, "", COMPLETED);
        } catch (IOException | RuntimeException e) {
            LOG.error("job {}: the report could not be assembled", task.jobId(), e);
            return failed(task, "the report could not be assembled: " + e.getMessage(), Failure.REPORT_ERROR);
        }
    }

    /**
     * What to publish for a task whose run threw instead of returning: the job fails with the error.
     *
     * @param task the task
     * @param error what it threw
     * @return the job's failure
     */
    Result crashed(StageTask task, Throwable error) {
        return failed(task, task.stage() + " crashed: " + error, Failure.CRASHED);
    }

    /**
     * What to publish when a stage kept failing with passing errors until its attempts ran out: the job fails with
     * the last error, and the metrics count it.
     *
     * @param task the task
     * @param attempts how many times it was tried
     * @param lastReason why the last attempt failed
     * @return the job's failure
     */
    Result exhausted(StageTask task, int attempts, String lastReason) {
        metrics.stageRetries(task.stage(), "exhausted");
        return failed(task, "gave up after " + attempts + (attempts == 1 ? " attempt" : " attempts") + "; the last one: "
                + lastReason, Failure.RETRIES_EXHAUSTED);
    }

    /**
     * Announces that a stage failed with a passing error and runs again.
     *
     * @param task the task
     * @param attempt the attempt that failed
     * @param maxAttempts attempts allowed
     * @param reason why it failed
     */
    void retrying(StageTask task, int attempt, int maxAttempts, String reason) {
        metrics.stageRetries(task.stage(), "retried");
        progress.send(events.event(EventType.STAGE_PROGRESS, task.jobId(), Optional.of(task.stage()),
                Map.of("message", "attempt " + attempt + " of " + maxAttempts + " failed (" + reason
                        + "); trying again")));
    }

    /**
     * What to publish for a stage task that cannot be read: the original bytes go to {@link Topics#STAGE_DLQ} with the
     * reason and origin in headers, and the job the record's key names fails, so that it does not wait forever.
     *
     * @param record the unreadable record
     * @param reason why it cannot be read
     * @return the records to publish with the record's offset
     */
    Result poison(ConsumerRecord<String, byte[]> record, String reason) {
        String stage = Topics.stageOf(record.topic());
        String why = "the " + stage + " task at " + origin(record) + " cannot be read: " + reason;
        metrics.poisonTask(stage);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        ProducerRecord<String, byte[]> dlq = new ProducerRecord<>(Topics.STAGE_DLQ, record.key(),
                record.value() == null ? new byte[0] : record.value());
        dlq.headers().add(Topics.DLQ_REASON_HEADER, why.getBytes(StandardCharsets.UTF_8));
        dlq.headers().add(Topics.DLQ_ORIGIN_HEADER, origin(record).getBytes(StandardCharsets.UTF_8));
        if (record.key() != null) {
            dlq.headers().add(Topics.DLQ_JOB_HEADER, record.key().getBytes(StandardCharsets.UTF_8));
        }
        records.add(dlq);
        if (record.key() != null && !record.key().isBlank()) {
            records.add(events.event(EventType.JOB_FAILED, record.key(), Optional.of(stage),
                    Map.of("stage", stage, "reason", why)));
            records.add(JobEvents.state(JobEvents.state(record.key(), JobStatus.FAILED, Optional.of(stage), List.of(),
                    stage + " failed: " + why, Map.of())));
        }
        boolean job = record.key() != null && !record.key().isBlank();
        return new Result(records, false, why, "failed",
                job ? Optional.of(new Failure(stage, Failure.UNREADABLE_TASK)) : Optional.empty());
    }

    private static String origin(ConsumerRecord<String, byte[]> record) {
        return record.topic() + "/" + record.partition() + "/" + record.offset();
    }

    /**
     * After the transaction: counts the job when it ended.
     *
     * @param task the task, empty for one that could not be read
     * @param result what was published
     */
    void committed(Optional<StageTask> task, Result result) {
        if (task.isPresent() && COMPLETED.equals(result.outcome())) {
            markHandedOff(task.get());
        }
        if (task.map(StageTask::last).orElse(false) || "failed".equals(result.outcome())) {
            metrics.jobEnded(result.outcome());
        }
        result.failure().ifPresent(f -> metrics.jobFailed(f.stage(), f.kind()));
    }

    /** Records that a stage's results were committed, so a copy of its task is known for one (see {@link #run}). */
    private void markHandedOff(StageTask task) {
        try {
            store.write(task.jobId(), handOffName(task),
                    ("{\"position\":" + task.position() + "}").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("job {} stage {}: its hand-off could not be recorded ({}); a copy of its task would run again",
                    task.jobId(), task.stage(), e.getMessage());
        }
    }

    /** The record of a hand-off: one per stage and submission of the job. */
    private static String handOffName(StageTask task) {
        String submission = task.submission().isEmpty() ? "unrecorded" : task.submission();
        return task.stage() + "/handed-off/" + submission.replaceAll("[^A-Za-z0-9._-]", "-") + ".json";
    }

    private void announceStart(StageTask task, int attempt, boolean reused, String setAside) {
        String stage = task.stage();
        if (reused) {
            progress.send(events.event(EventType.STAGE_STARTED, task.jobId(), Optional.of(stage),
                    Map.of("attempt", attempt, "note", "already completed before; its recorded outcome is used")));
            return;
        }
        progress.send(events.event(EventType.STAGE_STARTED, task.jobId(), Optional.of(stage), setAside == null
                ? Map.of("attempt", attempt) : Map.of("attempt", attempt, "note", setAside)));
        progress.send(JobEvents.state(JobEvents.state(task.jobId(), JobStatus.RUNNING, Optional.of(stage),
                completed(task), stage + " running", task.artifacts())));
    }

    private Result failed(StageTask task, String reason, String kind) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        records.add(events.event(EventType.JOB_FAILED, task.jobId(), Optional.of(task.stage()),
                Map.of("stage", task.stage(), "reason", reason)));
        records.add(JobEvents.state(JobEvents.state(task.jobId(), JobStatus.FAILED, Optional.of(task.stage()),
                completed(task), task.stage() + " failed: " + reason, task.artifacts())));
        return new Result(records, false, reason, "failed", Optional.of(new Failure(task.stage(), kind)));
    }

    private void publishProgress(StageTask task, String stage, StageProgress p, ProgressThrottle throttle) {
        boolean milestone = p.iteration() == 0 || !p.message().isEmpty();
        if (!milestone && !throttle.due()) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("epoch", p.epoch());
        data.put("epochs", p.epochs());
        data.put("iteration", p.iteration());
        data.put("iterations", p.iterations());
        p.loss().ifPresent(v -> data.put("loss", v));
        p.accuracy().ifPresent(v -> data.put("accuracy", v));
        p.sparsity().ifPresent(v -> data.put("sparsity", v));
        p.imagesPerSecond().ifPresent(v -> data.put("imagesPerSecond", v));
        if (!p.message().isEmpty()) {
            data.put("message", p.message());
        }
        progress.send(events.event(EventType.STAGE_PROGRESS, task.jobId(), Optional.of(stage), data));
    }

    private void record(String stage, StageOutcome.Completed c) {
        if (c.summary() instanceof TrainingSummary t) {
            t.zeroCoefficients().ifPresent(zeros -> metrics.model(stage, zeros, t.params()));
            t.trainedImages().ifPresent(images -> metrics.trainingImages(stage, images));
        }
    }

    private static List<String> completed(StageTask task) {
        return task.plan().subList(0, task.position());
    }

    /** The scalar figures of a stage's summary and its wall time (the long lists stay in the stage record). */
    private static Map<String, Object> headline(StageOutcome.Completed c) {
        Map<String, Object> out = new LinkedHashMap<>(c.summary().headline());
        c.seconds().ifPresent(v -> out.put(StageRunner.SECONDS, v));
        return out;
    }

    private static Map<String, Object> refs(Map<String, ArtifactRef> refs) {
        Map<String, Object> out = new LinkedHashMap<>();
        refs.forEach((k, v) -> out.put(k, ref(v)));
        return out;
    }

    private static Map<String, Object> ref(ArtifactRef ref) {
        if (ref == null) {
            return Map.of();
        }
        return Map.of("uri", ref.uri().toString(), "sha256", ref.sha256(), "size", ref.size());
    }

    /** Lets one progress event through per interval. */
    private static final class ProgressThrottle {
        private final long intervalNanos;
        private long last;

        ProgressThrottle(long intervalMillis) {
            this.intervalNanos = intervalMillis * 1_000_000L;
        }

        synchronized boolean due() {
            long now = System.nanoTime();
            if (last == 0 || now - last >= intervalNanos) {
                last = now;
                return true;
            }
            return false;
        }
    }
}
