package io.penni.workflow.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.artifact.ArtifactRef;
import io.penni.artifacts.internal.FileSystemArtifactStore;
import io.penni.model.ModelArtifacts;

class JobDeployerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private JsonNode request(String deploy) throws IOException {
        return JSON.readTree("{\"model\": {\"architecture\": \"vgg-small\"}" + deploy + "}");
    }

    @Test
    void aRequestThatAsksIsDeployedOnceWithItsBackendAndBatching() throws IOException {
        FileSystemArtifactStore store = new FileSystemArtifactStore(dir.resolve("artifacts"));
        Map<String, ArtifactRef> artifacts = Map.of(
                ModelArtifacts.MODEL, store.write("j1", "shrink/model.json", "{\"graph\": 1}".getBytes()),
                ModelArtifacts.WEIGHTS, store.write("j1", "shrink/model.safetensors", new byte[] {1, 2, 3}));
        JobDeployer deployer = new JobDeployer(dir.resolve("models"));
        JsonNode request = request(", \"deploy\": {\"name\": \"fashion\", \"backend\": \"onnxruntime\", "
                + "\"maxBatch\": 8, \"queueCapacity\": 12}");

        Map<String, Object> said = deployer.deploy("j1", request, store, artifacts).orElseThrow();
        assertEquals(Map.of("name", "fashion", "version", "1", "endpoint", "/v2/models/fashion/versions/1"), said);
        Path version = dir.resolve("models/fashion/1");
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(version.resolve("model.safetensors")));
        assertEquals("{\"graph\": 1}", Files.readString(version.resolve("model.json")));
        JsonNode deployment = JSON.readTree(version.resolve("deployment.json").toFile());
        assertEquals("onnxruntime", deployment.get("backend").asText());
        assertEquals(8, deployment.get("maxBatch").asInt());
        assertEquals(12, deployment.get("queueCapacity").asInt());
        assertEquals("job j1", deployment.get("source").asText());

        assertEquals(said, deployer.deploy("j1", request, store, artifacts).orElseThrow(), "a rerun keeps version 1");
        assertEquals(1, dir.resolve("models/fashion").toFile().list().length);
        assertEquals("2", deployer.deploy("j2", request, store, artifacts).orElseThrow().get("version"),
                "another job is the next version");
    }

    @Test
    void noDeployNoVersionAndAMissingModelIsSaidNotThrown() throws IOException {
        FileSystemArtifactStore store = new FileSystemArtifactStore(dir.resolve("artifacts"));
        JobDeployer deployer = new JobDeployer(dir.resolve("models"));
        assertEquals(Optional.empty(), deployer.deploy("j1", request(""), store, Map.of()));
        Map<String, Object> said = deployer.deploy("j1", request(", \"deploy\": {}"), store, Map.of()).orElseThrow();
        assertEquals("job-j1", said.get("name"));
        assertTrue(String.valueOf(said.get("error")).startsWith("not deployed: the job has no compressed model"),
                said.toString());
    }
}
