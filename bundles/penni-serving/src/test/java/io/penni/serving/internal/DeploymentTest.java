package io.penni.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class DeploymentTest {

    @Test
    void everyKeyIsOptionalAndOverridesOnlyWhatItNames() {
        BatchSettings configured = new BatchSettings(32, Duration.ofMillis(2), 256, Duration.ofSeconds(5));
        assertEquals(configured, Deployment.parse("{}").applyTo(configured));
        Deployment d = Deployment.parse("{\"backend\": \"onnxruntime\", \"maxBatch\": 8}");
        assertEquals(new Deployment(Optional.of("onnxruntime"), OptionalInt.of(8), OptionalLong.empty(),
                Optional.empty()), d);
        assertEquals(new BatchSettings(8, Duration.ofMillis(2), 256, Duration.ofSeconds(5)), d.applyTo(configured));
    }

    @Test
    void whatIsWrongIsSaidNamingTheFileAndTheKey() {
        assertTrue(message("x").startsWith("deployment.json is not JSON: Unrecognized token 'x'"), message("x"));
        assertEquals("deployment.json must hold a JSON object", message("[1]"));
        assertEquals("deployment.json: unknown key 'maxbatch' (known: backend, maxBatch, maxQueueDelayMicros, "
                + "source)", message("{\"maxbatch\": 4}"));
        assertEquals("deployment.json: backend must be a string", message("{\"backend\": 1}"));
        assertEquals("deployment.json: backend '../cpu' is not a backend name", message("{\"backend\": \"../cpu\"}"));
        assertEquals("deployment.json: maxBatch must be a whole number from 1 to 4096, was 1.5",
                message("{\"maxBatch\": 1.5}"));
        assertEquals("deployment.json: maxQueueDelayMicros must be a whole number from 0 to 10000000, was "
                + "100000000000000000000", message("{\"maxQueueDelayMicros\": 100000000000000000000}"));
    }

    private static String message(String json) {
        return assertThrows(IllegalArgumentException.class, () -> Deployment.parse(json)).getMessage();
    }
}
