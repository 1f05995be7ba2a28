package io.penni.cli;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;

/** The events a job produces on the server, with the data fields the workflow bundle gives them. */
final class JobEvents {

    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final URI SOURCE = URI.create("urn:penni:test:workflow");

    private JobEvents() {
    }

    static JobEvent event(EventType type, String jobId, String stage, long second, Map<String, Object> data) {
        return new JobEvent(UUID.randomUUID().toString(), SOURCE, type, jobId,
                stage.isEmpty() ? Optional.empty() : Optional.of(stage), T0.plusSeconds(second), data);
    }

    static JobEvent accepted(String jobId) {
        return event(EventType.JOB_ACCEPTED, jobId, "", 0, Map.of("plan", List.of("pretrain", "decompose"),
                "model", "BuiltIn[architecture=vgg-small, seed=42]", "dataset", "fashion-mnist:fashion-mnist"));
    }

    static JobEvent started(String jobId, String stage, long second) {
        return event(EventType.STAGE_STARTED, jobId, stage, second, Map.of("attempt", 1));
    }

    /** A progress event as the trainer reports an iteration. */
    static JobEvent iteration(String jobId, String stage, long second, int epoch, int epochs, int iteration,
            int iterations) {
        return event(EventType.STAGE_PROGRESS, jobId, stage, second, Map.of("epoch", epoch, "epochs", epochs,
                "iteration", iteration, "iterations", iterations, "loss", 0.5123, "accuracy", 0.812,
                "imagesPerSecond", 212.4));
    }

    /** A progress event as the trainer reports an epoch's end. */
    static JobEvent epochEnd(String jobId, String stage, long second, int epoch, int epochs) {
        return event(EventType.STAGE_PROGRESS, jobId, stage, second, Map.of("epoch", epoch, "epochs", epochs,
                "iteration", 0, "iterations", 0, "loss", 0.4, "accuracy", 0.851, "sparsity", 0.0,
                "imagesPerSecond", 201.0, "message", "epoch " + epoch + " of " + epochs + " done (" + stage + ")"));
    }

    static JobEvent stageCompleted(String jobId, String stage, long second, double seconds) {
        return event(EventType.STAGE_COMPLETED, jobId, stage, second, Map.of("seconds", seconds, "outputs", Map.of(),
                "summary", Map.of("accuracy", 0.9, "params", 123456)));
    }

    static Map<String, Object> ref(ArtifactRef ref) {
        return Map.of("uri", ref.uri().toString(), "sha256", ref.sha256(), "size", ref.size());
    }

    /** A job.completed event naming a completed job's artifacts (model, report, report.md, model.onnx). */
    static JobEvent completed(String jobId, long second, Map<String, ArtifactRef> artifacts) {
        Map<String, Object> headline = new LinkedHashMap<>();
        headline.put("baselineAccuracy", 0.9);
        headline.put("compressedAccuracy", 0.895);
        headline.put("paramsBefore", 1_000_000);
        headline.put("paramsAfter", 200_000);
        headline.put("macsBefore", 50_000_000L);
        headline.put("macsAfter", 10_000_000L);
        headline.put("convParamsBefore", 900_000);
        headline.put("convParamsAfter", 90_000);
        headline.put("convMacsBefore", 40_000_000L);
        headline.put("convMacsAfter", 4_000_000L);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("model", ref(artifacts.get("model")));
        data.put("weights", ref(artifacts.get("model")));
        data.put("report", ref(artifacts.get("report")));
        data.put("report.md", ref(artifacts.get("report.md")));
        data.put("model.onnx", ref(artifacts.get("model.onnx")));
        data.put("headline", headline);
        return event(EventType.JOB_COMPLETED, jobId, "", second, data);
    }

    static JobEvent failed(String jobId, String stage, long second, String reason) {
        return event(EventType.JOB_FAILED, jobId, stage, second, Map.of("stage", stage, "reason", reason));
    }

    static JobEvent rejected(String jobId, List<String> reasons) {
        return event(EventType.JOB_REJECTED, jobId, "", 0, Map.of("reasons", reasons));
    }
}
