package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;

/** /metrics answers in the Prometheus text format with JVM, process and ND4J memory meters. */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class MetricsEndpointTest {

    @InjectBundleContext
    BundleContext context;

    @Test
    void metricsEndpointServesJvmProcessAndNd4jMeters() throws Exception {
        String url = context.getProperty("penni.metrics.url");
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        for (String meter : List.of("jvm_memory_used_bytes{", "jvm_threads_live_threads", "process_cpu_usage",
                "process_uptime_seconds", "penni_process_physical_bytes", "penni_nd4j_offheap_used_bytes",
                "penni_nd4j_offheap_max_bytes")) {
            assertTrue(response.body().contains(meter), "missing " + meter + " in /metrics");
        }
    }
}
