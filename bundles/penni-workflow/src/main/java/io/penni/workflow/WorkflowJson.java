package io.penni.workflow;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.JobState;
import io.penni.api.job.JobStatus;

/** The JSON of {@link StageTask}s on stage topics and of {@link JobState}s in the job table. */
public final class WorkflowJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WorkflowJson() {
    }

    /**
     * @param task a task
     * @return its JSON bytes
     */
    public static byte[] write(StageTask task) {
        ObjectNode root = JSON.createObjectNode();
        root.put("jobId", task.jobId());
        root.set("request", task.request());
        task.plan().forEach(root.putArray("plan")::add);
        root.put("position", task.position());
        root.set("artifacts", artifacts(task.artifacts()));
        if (!task.submission().isEmpty()) {
            root.put("submission", task.submission());
        }
        return bytes(root);
    }

    /**
     * @param bytes a task's JSON
     * @return the task
     * @throws IOException when it is not a task
     */
    public static StageTask readTask(byte[] bytes) throws IOException {
        JsonNode root = JSON.readTree(bytes);
        try {
            List<String> plan = new ArrayList<>();
            root.get("plan").forEach(s -> plan.add(s.asText()));
            return new StageTask(root.get("jobId").asText(), root.get("request"), plan, root.get("position").asInt(),
                    artifacts(root.path("artifacts")), root.path("submission").asText(""));
        } catch (RuntimeException e) {
            throw new IOException("not a stage task: " + e.getMessage(), e);
        }
    }

    /**
     * @param state a job's state
     * @return its JSON bytes
     */
    public static byte[] write(JobState state) {
        ObjectNode root = JSON.createObjectNode();
        root.put("jobId", state.jobId());
        root.put("status", state.status().name());
        state.stage().ifPresent(s -> root.put("stage", s));
        state.completedStages().forEach(root.putArray("completedStages")::add);
        root.put("message", state.message());
        root.set("artifacts", artifacts(state.artifacts()));
        root.put("updated", state.updated().toString());
        return bytes(root);
    }

    /**
     * @param bytes a job state's JSON
     * @return the state
     * @throws IOException when it is not a job state
     */
    public static JobState readState(byte[] bytes) throws IOException {
        JsonNode root = JSON.readTree(bytes);
        try {
            List<String> completed = new ArrayList<>();
            root.path("completedStages").forEach(s -> completed.add(s.asText()));
            return new JobState(root.get("jobId").asText(), JobStatus.valueOf(root.get("status").asText()),
                    Optional.ofNullable(root.path("stage").textValue()), completed, root.path("message").asText(""),
                    artifacts(root.path("artifacts")), Instant.parse(root.get("updated").asText()));
        } catch (RuntimeException e) {
            throw new IOException("not a job state: " + e.getMessage(), e);
        }
    }

    private static ObjectNode artifacts(Map<String, ArtifactRef> artifacts) {
        ObjectNode node = JSON.createObjectNode();
        artifacts.forEach((name, ref) -> node.putObject(name).put("uri", ref.uri().toString())
                .put("sha256", ref.sha256()).put("size", ref.size()));
        return node;
    }

    /**
     * @param node an {@code artifacts} object
     * @return the artifacts it names
     */
    public static Map<String, ArtifactRef> artifacts(JsonNode node) {
        Map<String, ArtifactRef> artifacts = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            artifacts.put(f.getKey(), new ArtifactRef(URI.create(f.getValue().get("uri").asText()),
                    f.getValue().get("sha256").asText(), f.getValue().get("size").asLong()));
        }
        return artifacts;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
