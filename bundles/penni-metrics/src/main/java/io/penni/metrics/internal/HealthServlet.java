package io.penni.metrics.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.penni.api.health.ReadinessCheck;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code /health/live}: 200 while the container answers. {@code /health/ready}: 200 while every
 * {@link ReadinessCheck} service is ready, 503 otherwise; the body names each check, and why one is not ready:
 * {@code {"ready": false, "checks": {"workflow": "the request intake failed (...); restart 2 in 4000 ms"}}}.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/health/ready", "/health/live"})
@HttpWhiteboardServletName("penni-health")
public final class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient Map<ReadinessCheck, String> checks = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addCheck(ReadinessCheck check, Map<String, Object> properties) {
        checks.put(check, String.valueOf(properties.getOrDefault(ReadinessCheck.NAME, "unnamed")));
    }

    void removeCheck(ReadinessCheck check) {
        checks.remove(check);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("application/json; charset=utf-8");
        if (request.getRequestURI().endsWith("/live")) {
            write(response, HttpServletResponse.SC_OK, "{\"live\":true}");
            return;
        }
        Map<String, Optional<String>> results = new TreeMap<>();
        checks.forEach((check, name) -> results.put(name, ask(check)));
        boolean ready = results.values().stream().allMatch(Optional::isEmpty);
        StringBuilder body = new StringBuilder("{\"ready\":").append(ready).append(",\"checks\":{");
        String separator = "";
        for (Map.Entry<String, Optional<String>> e : results.entrySet()) {
            body.append(separator).append(quote(e.getKey())).append(':').append(e.getValue().map(HealthServlet::quote)
                    .orElse("\"ready\""));
            separator = ",";
        }
        body.append("}}");
        write(response, ready ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                body.toString());
    }

    /** A check that throws is not ready, with what it threw. */
    private static Optional<String> ask(ReadinessCheck check) {
        try {
            return check.notReady();
        } catch (RuntimeException e) {
            return Optional.of("the check failed: " + e);
        }
    }

    private static void write(HttpServletResponse response, int status, String body) throws IOException {
        response.setStatus(status);
        response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }

    private static String quote(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }
}
