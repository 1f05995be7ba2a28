package io.penni.workflow.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.event.EventType;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.JobStatus;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.pipeline.BasicStageContext;
import io.penni.pipeline.CompressionRequests;
import io.penni.pipeline.JobReport;
import io.penni.pipeline.ReportAssembler;
import io.penni.pipeline.StageRecords;
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

    /**
     * What a task left to publish.
     *
     * @param records events, the next task or the completion, and the job's state
     * @param retryable whether the task failed in a way that may pass on another try (nothing to publish then)
     * @param reason why it failed, when it did
     * @param outcome "completed" or "failed", for metrics
     */
    record Result(List<ProducerRecord<String, byte[]>> records, boolean retryable, String reason, String outcome) {
    }

    private final ArtifactStore store;
    private final JobEvents events;
    private final KafkaProducer<String, byte[]> progress;
    private final WorkflowMetrics metrics;
    private final long progressIntervalMillis;

    StageTaskRunner(ArtifactStore store, JobEvents events, KafkaProducer<String, byte[]> progress,
            WorkflowMetrics metrics, long progressIntervalMillis) {
        this.store = store;
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

    Result run(StageTask task, StageBinding binding, int attempt, BooleanSupplier cancelled) {
        String stage = task.stage();
        long started = System.nanoTime();
        CompressionRequest request;
        try {
            request = CompressionRequests.read(task.request(), task.jobId());
        } catch (IllegalArgumentException e) {
            return failed(task, e.getMessage(), started);
        }
        Optional<StageOutcome.Completed> recorded = StageRecords.find(store, task.jobId(), stage);
        StageOutcome outcome;
        if (recorded.isPresent()) {
            progress.send(events.event(EventType.STAGE_STARTED, task.jobId(), Optional.of(stage),
                    Map.of("attempt", attempt, "note", "already completed before; its recorded outcome is used")));
            outcome = recorded.get();
        } else {
            progress.send(events.event(EventType.STAGE_STARTED, task.jobId(), Optional.of(stage), Map.of("attempt", attempt)));
            progress.send(JobEvents.state(JobEvents.state(task.jobId(), JobStatus.RUNNING, Optional.of(stage),
                    completed(task), stage + " running", task.artifacts())));
            try {
                Path workDir = store.workDir(task.jobId(), stage);
                ProgressThrottle throttle = new ProgressThrottle(progressIntervalMillis);
                StageContext context = new BasicStageContext(request, task.artifacts(), store, workDir,
                        p -> publishProgress(task, stage, p, throttle), cancelled);
                outcome = binding.stage().run(context);
                if (outcome instanceof StageOutcome.Completed c) {
                    Map<String, Object> summary = new LinkedHashMap<>(c.summary());
                    summary.put("seconds", (System.nanoTime() - started) / 1e9);
                    outcome = new StageOutcome.Completed(c.outputs(), summary);
                    StageRecords.save(store, task.jobId(), stage, (StageOutcome.Completed) outcome);
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("job {} stage {} threw", task.jobId(), stage, e);
                outcome = new StageOutcome.Failed(stage + " failed: " + e, false);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (outcome instanceof StageOutcome.Failed f) {
            metrics.stageEnded(stage, f.retryable() ? "interrupted" : "failed", seconds);
            if (f.retryable()) {
                return new Result(List.of(), true, f.reason(), "interrupted");
            }
            return failed(task, f.reason(), started);
        }
        StageOutcome.Completed c = (StageOutcome.Completed) outcome;
        metrics.stageEnded(stage, "completed", seconds);
        record(stage, c);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("seconds", seconds);
        data.put("outputs", refs(c.outputs()));
        data.put("summary", headline(c.summary()));
        records.add(events.event(EventType.STAGE_COMPLETED, task.jobId(), Optional.of(stage), data));
        List<String> done = new ArrayList<>(completed(task));
        done.add(stage);
        if (!task.last()) {
            StageTask next = task.next(c.outputs());
            String nextStage = next.stage();
            records.add(new ProducerRecord<>(Topics.stage(nextStage), task.jobId(), WorkflowJson.write(next)));
            records.add(JobEvents.state(JobEvents.state(task.jobId(), JobStatus.QUEUED, Optional.of(nextStage), done,
                    stage + " completed; waiting for " + nextStage, next.artifacts())));
            return new Result(records, false, "", "completed");
        }
        try {
            JobReport report = ReportAssembler.assemble(store, request, task.plan());
            // the last stage has no next task: its outputs join the job's artifacts directly
            Map<String, ArtifactRef> artifacts = new LinkedHashMap<>(task.artifactsWith(c.outputs()));
            artifacts.putAll(report.artifacts());
            Map<String, Object> completion = new LinkedHashMap<>();
            completion.put("model", ref(artifacts.get("model")));
            completion.put("weights", ref(artifacts.get("weights")));
            completion.put("report", ref(report.artifacts().get(ReportAssembler.REPORT_JSON)));
            completion.put("reportMarkdown", ref(report.artifacts().get(ReportAssembler.REPORT_MARKDOWN)));
            completion.put("headline", report.headline());
            records.add(events.event(EventType.JOB_COMPLETED, task.jobId(), Optional.empty(), completion));
            records.add(JobEvents.state(JobEvents.state(task.jobId(), JobStatus.COMPLETED, Optional.of(stage), done,
                    "completed: " + report.oneLine(), artifacts)));
            return new Result(records, false, "", "completed");
        } catch (IOException | RuntimeException e) {
            LOG.error("job {}: the report could not be assembled", task.jobId(), e);
            return failed(task, "the report could not be assembled: " + e.getMessage(), started);
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
        return failed(task, task.stage() + " crashed: " + error, System.nanoTime());
    }

    /** After the transaction: counts the job when it ended. */
    void committed(StageTask task, Result result) {
        if (task.last() || "failed".equals(result.outcome())) {
            metrics.jobEnded(result.outcome());
        }
    }

    private Result failed(StageTask task, String reason, long started) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        records.add(events.event(EventType.JOB_FAILED, task.jobId(), Optional.of(task.stage()),
                Map.of("stage", task.stage(), "reason", reason)));
        records.add(JobEvents.state(JobEvents.state(task.jobId(), JobStatus.FAILED, Optional.of(task.stage()),
                completed(task), task.stage() + " failed: " + reason, task.artifacts())));
        return new Result(records, false, reason, "failed");
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
        Object sparsity = c.summary().getOrDefault("zeroCoefficients", c.summary().get("sparsity"));
        Object params = c.summary().get("params");
        if (sparsity instanceof Number s && params instanceof Number n) {
            metrics.model(stage, s.doubleValue(), n.doubleValue());
        }
        Object history = c.summary().get("history");
        Object images = c.summary().get("trainedImages");
        if (images instanceof Number n) {
            metrics.trainingImages(stage, n.longValue());
        } else if (history instanceof List<?> epochs && c.summary().get("imagesPerSecond") instanceof Number ips
                && c.summary().get("trainingSeconds") instanceof Number s) {
            metrics.trainingImages(stage, (long) (ips.doubleValue() * s.doubleValue()));
        }
    }

    private static List<String> completed(StageTask task) {
        return task.plan().subList(0, task.position());
    }

    /** The figures of a stage summary without its long lists (those stay in the stage record). */
    private static Map<String, Object> headline(Map<String, Object> summary) {
        Map<String, Object> out = new LinkedHashMap<>();
        summary.forEach((k, v) -> {
            if (!(v instanceof List<?>) && !(v instanceof Map<?, ?>)) {
                out.put(k, v);
            }
        });
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
