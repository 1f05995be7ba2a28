package io.penni.pipeline;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageSummary;
import io.penni.model.StageSummaryJson;

/**
 * Makes stages idempotent per (job, stage), once for all of them: when a stage completes its outcome is stored as
 * {@code <stage>/outcome.json}, after its outputs; a stage whose outcome is stored is not run again, its stored
 * outcome is used. The record holds the outputs, the typed summary (its {@code kind} and figures, see
 * {@link StageSummaryJson}) and the wall time. A job redelivered after a crash therefore neither redoes nor duplicates finished stages; an
 * unfinished stage runs again and resumes from its own checkpoints; so does a stage whose record no longer reads
 * (e.g. one written before summaries were typed). The record also keeps the run's {@link StageFingerprint}: the
 * {@link StageRunner} reuses it only for a run with the same one (records written before fingerprints were kept are
 * reused as before).
 */
public final class StageRecords {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FINGERPRINT = "fingerprint";

    private StageRecords() {
    }

    /**
     * @param store the artifact store
     * @param jobId the job
     * @param stage the stage
     * @return the stage's stored outcome, if it completed before
     */
    public static Optional<StageOutcome.Completed> find(ArtifactStore store, String jobId, String stage) {
        return read(store, jobId, stage).map(Stored::outcome);
    }

    /**
     * A stage's record.
     *
     * @param outcome what the stage produced
     * @param fingerprint what it was made from, when the record says
     */
    public record Stored(StageOutcome.Completed outcome, Optional<StageFingerprint> fingerprint) {
    }

    /**
     * @param store the artifact store
     * @param jobId the job
     * @param stage the stage
     * @return the stage's record, if it completed before and its outputs are still there unchanged
     */
    public static Optional<Stored> read(ArtifactStore store, String jobId, String stage) {
        Optional<ArtifactRef> ref = store.find(jobId, name(stage));
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode root = JSON.readTree(Files.readAllBytes(store.open(ref.get())));
            Map<String, ArtifactRef> outputs = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = root.path("outputs").fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                ArtifactRef output = new ArtifactRef(URI.create(f.getValue().get("uri").asText()),
                        f.getValue().get("sha256").asText(), f.getValue().get("size").asLong());
                store.open(output); // still there and unchanged, or the stage runs again
                outputs.put(f.getKey(), output);
            }
            StageSummary summary = StageSummaryJson.read(root.path("summary"));
            JsonNode seconds = root.path(StageRunner.SECONDS);
            JsonNode f = root.path(FINGERPRINT);
            Optional<StageFingerprint> fingerprint = f.isObject()
                    ? Optional.of(new StageFingerprint(f.get("request").asText(), f.get("inputs").asText(),
                            f.get("source").asText()))
                    : Optional.empty();
            return Optional.of(new Stored(new StageOutcome.Completed(outputs, summary,
                    seconds.isNumber() ? OptionalDouble.of(seconds.asDouble()) : OptionalDouble.empty()), fingerprint));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Stores a completed stage's outcome.
     *
     * @param store the artifact store
     * @param jobId the job
     * @param stage the stage
     * @param outcome what it produced
     * @param fingerprint what it was made from
     * @return the record's reference
     * @throws IOException when it cannot be written
     */
    public static ArtifactRef save(ArtifactStore store, String jobId, String stage, StageOutcome.Completed outcome,
            StageFingerprint fingerprint) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode outputs = root.putObject("outputs");
        outcome.outputs().forEach((name, ref) -> outputs.putObject(name).put("uri", ref.uri().toString())
                .put("sha256", ref.sha256()).put("size", ref.size()));
        root.set("summary", StageSummaryJson.write(outcome.summary()));
        outcome.seconds().ifPresent(s -> root.put(StageRunner.SECONDS, s));
        root.putObject(FINGERPRINT).put("request", fingerprint.request()).put("inputs", fingerprint.inputs())
                .put("source", fingerprint.source());
        return store.write(jobId, name(stage), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    private static String name(String stage) {
        return stage + "/outcome.json";
    }
}
