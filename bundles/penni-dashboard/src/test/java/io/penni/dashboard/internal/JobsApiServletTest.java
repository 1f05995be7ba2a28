package io.penni.dashboard.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class JobsApiServletTest {

    @Test
    void reportFilesStayInsideTheReportFolder() {
        assertTrue(JobsApiServlet.safeReportPath("figures/conv1-coefficients.png"));
        assertTrue(JobsApiServlet.safeReportPath("report.md"));
        for (String escape : new String[] {"../outcome.json", "figures/../../x", "/etc/passwd", "./report.md",
                "figures//x.png", "..", "a/./b", "figures\\..\\x", "%2e%2e/x", ""}) {
            assertFalse(JobsApiServlet.safeReportPath(escape), escape);
        }
    }

    @Test
    void onlyAJsonObjectReachesValidation() {
        assertTrue(JobsApiServlet.notJsonObject(bytes("{\"model\": {}}")).isEmpty());
        assertTrue(JobsApiServlet.notJsonObject(bytes("{oops")).orElseThrow().contains("not JSON"));
        assertTrue(JobsApiServlet.notJsonObject(bytes("")).orElseThrow().contains("empty"));
        assertTrue(JobsApiServlet.notJsonObject(bytes("[1, 2]")).orElseThrow().contains("not an object"));
        assertTrue(JobsApiServlet.notJsonObject(bytes("42")).orElseThrow().contains("not an object"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
