package io.penni.dashboard.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.intake.JobSubmissions;
import io.penni.api.intake.SubmissionResult;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The HTTP job API under {@code /penni/api/}:
 * <ul>
 * <li>{@code POST jobs}: a request JSON; 202 {@code {"jobId"}} once it is on {@code penni.requests}, 400
 * {@code {"error", "errors": [...]}} with every problem (its {@code job.rejected} event and DLQ record published, as
 * the Kafka intake does), 4xx without publishing anything for what is not a JSON request at all;</li>
 * <li>{@code GET jobs}, {@code GET jobs/{id}} (with the parsed {@code report.json} once there is one),
 * {@code GET jobs/events} and {@code GET jobs/{id}/events} (server-sent events),
 * {@code GET jobs/{id}/files/{name}} (the model files, the reports and the report's figures);</li>
 * <li>{@code GET server}: what the Server page shows.</li>
 * </ul>
 * Errors are JSON {@code {"error": "..."}}, never a stack trace.
 */
final class JobsApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A file under the job's report folder: plain names, no dot segments, no absolute paths. */
    private static final Pattern REPORT_FILE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*");
    /** Downloads by file name, and the job artifact each one is. */
    static final Map<String, String> DOWNLOADS = downloads();

    private final transient JobBoard board;
    private final transient EventStreams streams;
    private final transient AccessGuard guard;
    private final transient JobSubmissions submissions;
    private final transient ArtifactStore store;
    private final transient Supplier<Map<String, Object>> server;
    /** An oversized body up to this many bytes is read away before the 413, so the client sees the answer. */
    private static final long DRAINED_BYTES = 1 << 20;

    private final transient Supplier<Boolean> caughtUp;
    private final int maxBodyBytes;

    JobsApiServlet(JobBoard board, EventStreams streams, AccessGuard guard, JobSubmissions submissions,
            ArtifactStore store, Supplier<Map<String, Object>> server, Supplier<Boolean> caughtUp, int maxBodyBytes) {
        this.board = board;
        this.streams = streams;
        this.guard = guard;
        this.submissions = submissions;
        this.store = store;
        this.server = server;
        this.caughtUp = caughtUp;
        this.maxBodyBytes = maxBodyBytes;
    }

    private static Map<String, String> downloads() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("model.json", "model");
        d.put("model.safetensors", "weights");
        d.put("model.onnx", "model.onnx");
        d.put("report.md", "report.md");
        d.put("report.json", "report");
        d.put("learning-curves.csv", "learning-curves");
        return Map.copyOf(d);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<AccessGuard.Refusal> refused = guard.client(request.getRemoteAddr(), request.getHeader("Host"),
                Optional.ofNullable(request.getHeader("Authorization")), true);
        if (refused.isPresent()) {
            refuseUnread(request, response, refused.get().status(), refused.get().message());
            return;
        }
        List<String> path = segments(request.getPathInfo());
        String method = request.getMethod();
        try {
            if (path.equals(List.of("jobs")) && method.equals("POST")) {
                submit(request, response);
            } else if (!method.equals("GET")) {
                response.setHeader("Allow", path.equals(List.of("jobs")) ? "GET, POST" : "GET");
                refuseUnread(request, response, 405, method + " is not supported here");
            } else if (path.equals(List.of("jobs"))) {
                json(response, 200, Map.of("jobs", board.jobs()));
            } else if (path.equals(List.of("jobs", "events"))) {
                streams.open(request.startAsync(), Optional.empty(), "jobs", Map.of("jobs", board.jobs()));
            } else if (path.equals(List.of("server"))) {
                json(response, 200, server.get());
            } else if (path.size() == 2 && path.get(0).equals("jobs")) {
                job(path.get(1), response);
            } else if (path.size() == 3 && path.get(0).equals("jobs") && path.get(2).equals("events")) {
                Optional<Map<String, Object>> detail = board.job(path.get(1));
                if (detail.isEmpty()) {
                    error(response, 404, "no job '" + path.get(1) + "'");
                } else {
                    streams.open(request.startAsync(), Optional.of(path.get(1)), "detail", detail.get());
                }
            } else if (path.size() >= 4 && path.get(0).equals("jobs") && path.get(2).equals("files")) {
                file(path.get(1), String.join("/", path.subList(3, path.size())), response);
            } else {
                error(response, 404, "no such API path: /penni/api" + Optional.ofNullable(request.getPathInfo()).orElse(""));
            }
        } catch (IOException e) {
            if (!response.isCommitted()) {
                error(response, 500, "the answer could not be made: " + e.getMessage());
            }
        }
    }

    private void submit(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<AccessGuard.Refusal> refused = guard.submission(Optional.ofNullable(request.getContentType()),
                Optional.ofNullable(request.getHeader("Origin")), request.getScheme(), request.getHeader("Host"));
        if (refused.isPresent()) {
            refuseUnread(request, response, refused.get().status(), refused.get().message());
            return;
        }
        if (request.getContentLengthLong() > maxBodyBytes) {
            response.setHeader("Connection", "close");
            refuseUnread(request, response, 413, "the request has " + request.getContentLengthLong()
                    + " bytes; at most " + maxBodyBytes + " are accepted");
            return;
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(maxBodyBytes + 1);
        }
        if (body.length > maxBodyBytes) {
            error(response, 413, "the request is over " + maxBodyBytes + " bytes; at most " + maxBodyBytes
                    + " are accepted");
            return;
        }
        Optional<String> notJson = notJsonObject(body);
        if (notJson.isPresent()) {
            error(response, 400, notJson.get());
            return;
        }
        if (!caughtUp.get()) {
            // not a verdict on the request: the board has not read the job table yet, and answers would be stale
            response.setHeader("Retry-After", "2");
            error(response, 503, "the dashboard is still reading the job table; try again in a moment");
            return;
        }
        SubmissionResult result = submissions.submit(body, "http " + request.getRemoteAddr());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("jobId", result.jobId());
        if (result instanceof SubmissionResult.Submitted) {
            answer.put("status", "submitted");
            answer.put("href", "/penni/api/jobs/" + result.jobId());
            response.setHeader("Location", "/penni/api/jobs/" + result.jobId());
            json(response, 202, answer);
        } else if (result instanceof SubmissionResult.Refused r) {
            answer.put("error", "the request was rejected: " + String.join("; ", r.reasons()));
            answer.put("errors", r.reasons());
            json(response, 400, answer);
        } else if (result instanceof SubmissionResult.Unavailable u) {
            answer.put("error", u.reason());
            response.setHeader("Retry-After", "5");
            json(response, 503, answer);
        }
    }

    /**
     * Answers a request whose body will not be used. A body of up to {@link #DRAINED_BYTES} is read away first, so
     * that a client still sending sees this answer rather than a reset and the connection can serve its next request;
     * a larger one, or one that cannot be read, closes the connection, said in the answer's {@code Connection}
     * header so that no client sends its next request on a connection the server is closing.
     */
    private static void refuseUnread(HttpServletRequest request, HttpServletResponse response, int status,
            String message) throws IOException {
        if (!drained(request)) {
            response.setHeader("Connection", "close");
        }
        error(response, status, message);
    }

    private static boolean drained(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        if (length > DRAINED_BYTES) {
            return false;
        }
        try (InputStream in = request.getInputStream()) {
            // a body of unknown length (chunked) is read up to the limit; one that goes on past it is not drained
            byte[] buffer = new byte[8192];
            long read = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read += n;
                if (read > DRAINED_BYTES) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Only a JSON object is a request; anything else is refused before it reaches validation. */
    static Optional<String> notJsonObject(byte[] body) {
        if (body.length == 0) {
            return Optional.of("the request body is empty; send a compression request as JSON");
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? Optional.empty()
                    : Optional.of("the request body is JSON but not an object; send a compression request as a JSON "
                            + "object");
        } catch (IOException e) {
            return Optional.of("the request body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private void job(String jobId, HttpServletResponse response) throws IOException {
        Optional<Map<String, Object>> found = board.job(jobId);
        if (found.isEmpty()) {
            error(response, 404, "no job '" + jobId + "'");
            return;
        }
        Map<String, Object> detail = new LinkedHashMap<>(found.get());
        Map<String, ArtifactRef> artifacts = board.artifacts(jobId);
        Map<String, Object> downloads = new LinkedHashMap<>();
        // a running job's artifacts are its last stage's inputs, not its result: downloads come with completion
        boolean completed = "COMPLETED".equals(detail.get("status"));
        DOWNLOADS.forEach((file, artifact) -> {
            if (completed && artifacts.containsKey(artifact)) {
                downloads.put(file, Map.of("href", "/penni/api/jobs/" + jobId + "/files/" + file,
                        "size", artifacts.get(artifact).size()));
            }
        });
        detail.put("downloads", sortedByName(downloads));
        ArtifactRef report = artifacts.get(DOWNLOADS.get("report.json"));
        if (report != null) {
            try {
                detail.put("report", JSON.readTree(store.open(report).toFile()));
            } catch (IOException e) {
                detail.put("reportError", "report.json could not be read: " + e.getMessage());
            }
        }
        json(response, 200, detail);
    }

    private static Map<String, Object> sortedByName(Map<String, Object> downloads) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : List.of("model.json", "model.safetensors", "model.onnx", "report.md", "report.json",
                "learning-curves.csv")) {
            if (downloads.containsKey(name)) {
                out.put(name, downloads.get(name));
            }
        }
        return out;
    }

    private void file(String jobId, String name, HttpServletResponse response) throws IOException {
        Optional<ArtifactRef> ref = locate(jobId, name);
        if (ref.isEmpty()) {
            error(response, 404, "job '" + jobId + "' has no file '" + name + "'");
            return;
        }
        Path file;
        try {
            file = store.open(ref.get());
        } catch (IOException e) {
            error(response, 404, "job '" + jobId + "': '" + name + "' cannot be read: " + e.getMessage());
            return;
        }
        response.setStatus(200);
        response.setContentType(contentType(name));
        response.setContentLengthLong(Files.size(file));
        response.setHeader("Cache-Control", "private, max-age=60");
        if (!name.endsWith(".png")) {
            response.setHeader("Content-Disposition", "attachment; filename=\"" + jobId + "-"
                    + name.replace('/', '-') + "\"");
        }
        response.setHeader("X-Content-Type-Options", "nosniff");
        Files.copy(file, response.getOutputStream());
    }

    /**
     * Which stored artifact a file name means: a download by its name, or a file of the job's report folder (its
     * figures). Names that could leave that folder are refused by their form, before the store is asked.
     */
    Optional<ArtifactRef> locate(String jobId, String name) {
        if (board.job(jobId).isEmpty()) {
            return Optional.empty();
        }
        String artifact = DOWNLOADS.get(name);
        if (artifact != null) {
            return Optional.ofNullable(board.artifacts(jobId).get(artifact));
        }
        return safeReportPath(name) ? store.find(jobId, "report/" + name) : Optional.empty();
    }

    /**
     * @param name a file name under a report folder, as asked for
     * @return whether it stays inside that folder: relative, plain segments only, no {@code .} or {@code ..}
     */
    static boolean safeReportPath(String name) {
        return name.length() <= 200 && REPORT_FILE.matcher(name).matches()
                && java.util.Arrays.stream(name.split("/")).noneMatch(s -> s.equals(".") || s.equals(".."));
    }

    private static String contentType(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png")) {
            return "image/png";
        }
        if (lower.endsWith(".json")) {
            return "application/json";
        }
        if (lower.endsWith(".md")) {
            return "text/markdown; charset=utf-8";
        }
        if (lower.endsWith(".csv")) {
            return "text/csv; charset=utf-8";
        }
        return "application/octet-stream";
    }

    /** The path's segments, each URL-decoded by the container already; empty segments dropped. */
    private static List<String> segments(String pathInfo) {
        if (pathInfo == null) {
            return List.of();
        }
        return java.util.Arrays.stream(pathInfo.split("/")).filter(s -> !s.isEmpty()).toList();
    }

    static void json(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json; charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        JSON.writeValue(response.getOutputStream(), body);
    }

    static void error(HttpServletResponse response, int status, String message) throws IOException {
        json(response, status, Map.of("error", message));
    }
}
