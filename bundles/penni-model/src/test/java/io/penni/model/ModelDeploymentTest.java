package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDeploymentTest {

    @Test
    void everyKeyIsOptionalAndItsValueIsKeptAsGiven() {
        assertEquals(ModelDeployment.NONE, ModelDeployment.parse("{}"));
        ModelDeployment d = ModelDeployment.parse("{\"backend\": \"onnxruntime\", \"maxBatch\": 8, "
                + "\"requestTimeoutMillis\": 250, \"source\": \"job j1\"}");
        assertEquals(Optional.of("onnxruntime"), d.backend());
        assertEquals(OptionalLong.of(8), d.limit(ModelDeployment.MAX_BATCH));
        assertEquals(OptionalLong.empty(), d.limit(ModelDeployment.QUEUE_CAPACITY));
        assertEquals(OptionalLong.of(250), d.limit(ModelDeployment.REQUEST_TIMEOUT_MILLIS));
        assertEquals(Map.of("backend", "onnxruntime", "maxBatch", 8L, "requestTimeoutMillis", 250L, "source", "job j1"),
                d.toMap());
    }

    @Test
    void whatIsWrittenReadsBackTheSame(@TempDir Path root) throws Exception {
        ModelDeployment d = new ModelDeployment(Optional.of("cpu"), Map.of(ModelDeployment.QUEUE_CAPACITY, 7L,
                ModelDeployment.MAX_QUEUE_DELAY_MICROS, 0L), Optional.of("file m.json"));
        ModelRepositoryFolder.Deployed written = ModelRepositoryFolder.writeNext(root, "m", d,
                (g, w) -> {
                    Files.writeString(g, "{}");
                    Files.writeString(w, "");
                });
        assertEquals("1", written.version());
        assertEquals(d, ModelDeployment.read(written.folder()));
        assertEquals(ModelDeployment.NONE, ModelDeployment.read(root));
    }

    @Test
    void whatIsWrongIsSaidNamingTheFileAndTheKey() {
        assertTrue(message("x").startsWith("deployment.json is not JSON: Unrecognized token 'x'"), message("x"));
        assertEquals("deployment.json must hold a JSON object", message("[1]"));
        assertEquals("deployment.json: unknown key 'maxbatch' (known: backend, maxBatch, maxQueueDelayMicros, "
                + "queueCapacity, requestTimeoutMillis, source)", message("{\"maxbatch\": 4}"));
        assertEquals("deployment.json: backend must be a string", message("{\"backend\": 1}"));
        assertEquals("deployment.json: backend '../cpu' is not a backend name", message("{\"backend\": \"../cpu\"}"));
        assertEquals("deployment.json: maxBatch must be a whole number from 1 to 4096, was 1.5",
                message("{\"maxBatch\": 1.5}"));
        assertEquals("deployment.json: maxQueueDelayMicros must be a whole number from 0 to 10000000, was "
                + "100000000000000000000", message("{\"maxQueueDelayMicros\": 100000000000000000000}"));
        assertEquals("deployment.json: queueCapacity must be a whole number from 1 to 1000000, was 0",
                message("{\"queueCapacity\": 0}"));
        assertEquals("deployment.json: requestTimeoutMillis must be a whole number from 1 to 3600000, was -5",
                message("{\"requestTimeoutMillis\": -5}"));
    }

    @Test
    void eachLimitHasItsCommandLineOption() {
        assertEquals(java.util.List.of("--max-batch", "--max-queue-delay-micros", "--queue-capacity",
                "--request-timeout-millis"), ModelDeployment.LIMITS.stream().map(ModelDeployment.Limit::option).toList());
    }

    private static String message(String json) {
        return assertThrows(IllegalArgumentException.class, () -> ModelDeployment.parse(json)).getMessage();
    }
}
