package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.junit5.context.BundleContextExtension;

import io.penni.api.health.ReadinessCheck;

/**
 * /health/ready in the running container: ready with the workflow's consumer loops up, 503 naming the part and its
 * reason as soon as one readiness check is not ready, ready again when it is gone.
 */
@ExtendWith(BundleContextExtension.class)
class HealthEndpointTest {

    @InjectBundleContext
    BundleContext context;

    @Test
    void readinessFollowsTheChecksOfTheRunningContainer() throws Exception {
        assertEquals(200, get("/health/live").statusCode());
        HttpResponse<String> ready = awaitStatus(200);
        assertTrue(ready.body().contains("\"ready\":true") && ready.body().contains("\"workflow\":\"ready\""),
                ready.body());

        ServiceRegistration<ReadinessCheck> failing = context.registerService(ReadinessCheck.class,
                () -> Optional.of("the itest's part is down"), new Hashtable<>(Map.of(ReadinessCheck.NAME, "itest")));
        try {
            HttpResponse<String> notReady = awaitStatus(503);
            assertTrue(notReady.body().contains("\"ready\":false")
                    && notReady.body().contains("\"itest\":\"the itest's part is down\"")
                    && notReady.body().contains("\"workflow\":\"ready\""), notReady.body());
        } finally {
            failing.unregister();
        }
        assertEquals(200, awaitStatus(200).statusCode());
    }

    private HttpResponse<String> awaitStatus(int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> response = get("/health/ready");
        while (response.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(200);
            response = get("/health/ready");
        }
        assertEquals(status, response.statusCode(), response.body());
        return response;
    }

    private HttpResponse<String> get(String path) throws Exception {
        String metrics = context.getProperty("penni.metrics.url");
        URI uri = URI.create(metrics.substring(0, metrics.length() - "/metrics".length()) + path);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
