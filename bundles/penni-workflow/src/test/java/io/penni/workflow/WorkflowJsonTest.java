package io.penni.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.JobState;
import io.penni.api.job.JobStatus;
import io.penni.api.stage.StageNames;

class WorkflowJsonTest {

    private static final ArtifactRef MODEL = new ArtifactRef(URI.create("file:///var/artifacts/jobs/j/pretrain/model.json"),
            "ab12", 345);

    @Test
    void aStageTaskRoundTripsAndAdvancesThroughThePlan() throws IOException {
        StageTask task = new StageTask("j", new ObjectMapper().readTree("{\"model\":{\"architecture\":\"vgg-small\"}}"),
                StageNames.ALL, 0, Map.of());
        assertEquals(task, WorkflowJson.readTask(WorkflowJson.write(task)));
        StageTask next = task.next(Map.of("model", MODEL));
        assertEquals(StageNames.DECOMPOSE, next.stage());
        assertEquals(MODEL, next.artifacts().get("model"));
        assertEquals(MODEL, next.artifacts().get("pretrain.model"));
        assertEquals(next, WorkflowJson.readTask(WorkflowJson.write(next)));
        assertTrue(new StageTask("j", task.request(), StageNames.ALL, StageNames.ALL.size() - 1, Map.of()).last());
        StageTask submitted = new StageTask("j", task.request(), StageNames.ALL, 0, Map.of(), "penni.requests/2/41");
        assertEquals(submitted, WorkflowJson.readTask(WorkflowJson.write(submitted)));
        assertEquals("penni.requests/2/41", submitted.next(Map.of("model", MODEL)).submission());
    }

    @Test
    void theLastStagesOutputsJoinTheArtifactsWithoutANextTask() throws IOException {
        StageTask last = new StageTask("j", new ObjectMapper().readTree("{}"), StageNames.ALL,
                StageNames.ALL.size() - 1, Map.of("weights", MODEL));
        Map<String, ArtifactRef> all = last.artifactsWith(Map.of("model", MODEL));
        assertEquals(MODEL, all.get("model"));
        assertEquals(MODEL, all.get(StageNames.ALL.get(StageNames.ALL.size() - 1) + ".model"));
        assertEquals(MODEL, all.get("weights"));
    }

    @Test
    void aJobStateRoundTrips() throws IOException {
        JobState state = new JobState("j", JobStatus.QUEUED, Optional.of("retrain"), List.of("pretrain", "decompose"),
                "waiting for a free training slot", Map.of("model", MODEL), Instant.parse("2026-11-21T10:15:30Z"));
        assertEquals(state, WorkflowJson.readState(WorkflowJson.write(state)));
    }

    @Test
    void garbageIsAnIOExceptionNotACrash() {
        assertThrows(IOException.class, () -> WorkflowJson.readTask("{\"jobId\": 1}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> WorkflowJson.readState("[]".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void topicNamesAreLowercaseDottedNounsWithADlqTwin() {
        for (String topic : Topics.all()) {
            assertTrue(topic.matches("[a-z]+(\\.[a-z]+)*"), topic);
        }
        assertEquals(Topics.REQUESTS + ".dlq", Topics.REQUESTS_DLQ);
        assertEquals("retrain", Topics.stageOf(Topics.stage("retrain")));
    }
}
