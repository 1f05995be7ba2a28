package io.penni.serving.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletAsyncSupported;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.penni.serving.internal.ServingMetrics.Outcome;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Open Inference Protocol's REST API under {@code /v2}: server metadata ({@code GET /v2}), liveness and
 * readiness ({@code GET /v2/health/live|ready}), model metadata and readiness
 * ({@code GET /v2/models/NAME[/versions/V][/ready]}) and inference
 * ({@code POST /v2/models/NAME[/versions/V]/infer}), with the classification and binary tensor data extensions;
 * and, of the model repository extension, only its index ({@code POST /v2/repository/index}: every version on disk
 * with its state, for {@code bin/penni models}). Errors are {@code {"error": "..."}}: 400 for a bad request, 404
 * for an unknown model, version or path, 405 for a wrong method, 413 for a body over the limit, 503 with
 * {@code Retry-After} from a full queue or a model not ready, 504 past the request timeout; 401 / 403 for a client
 * beyond this machine without the configured token ({@link AccessRule}).
 */
@Component(service = Servlet.class, configurationPid = ServingConfig.PID)
@HttpWhiteboardServletPattern({"/v2", "/v2/*"})
@HttpWhiteboardServletName("penni-serving")
@HttpWhiteboardServletAsyncSupported
public final class InferenceServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InferenceServlet.class);
    /** The binary tensor data extension's header: the JSON's length when raw tensor bytes follow it. */
    static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    private static final String JSON_TYPE = "application/json";
    private static final int SUBMIT_TRIES = 3;

    @Reference
    private transient RepositoryComponent repositoryComponent;

    @Reference
    private transient MeterRegistry registry;

    private transient ServingMetrics metrics;
    private transient volatile ServingConfig config;
    private transient volatile AccessRule access;
    private String serverVersion;

    @Activate
    void activate(ServingConfig configuration, BundleContext context) {
        modified(configuration);
        metrics = new ServingMetrics(registry);
        serverVersion = context.getBundle().getVersion().toString();
    }

    /** A changed configuration (body limit, token, Retry-After) applies to the next request. */
    @Modified
    void modified(ServingConfig configuration) {
        config = configuration;
        access = new AccessRule(configuration.access_token());
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        Optional<BadRequestException> refused = access.refusal(request.getRemoteAddr(),
                Optional.ofNullable(request.getHeader("Authorization")), segments(request));
        if (refused.isPresent()) {
            drainOrClose(request, response);
            writeError(response, refused.get().status(), refused.get().getMessage());
            return;
        }
        super.service(request, response);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> path = segments(request);
        try {
            if (path.isEmpty()) {
                writeJson(response, 200, Map.of("name", "penni", "version", serverVersion,
                        "extensions", List.of("classification", "binary_tensor_data")));
            } else if (path.equals(List.of("health", "live"))) {
                writeJson(response, 200, Map.of("live", true));
            } else if (path.equals(List.of("health", "ready"))) {
                boolean ready = repositoryComponent.repository().ready();
                writeJson(response, ready ? 200 : 503, Map.of("ready", ready));
            } else {
                ModelPath target = ModelPath.parse(path);
                ServedModel model = model(target.name());
                if (target.action().equals("ready")) {
                    boolean ready = resolve(model, target.version()).isPresent();
                    writeJson(response, ready ? 200 : 503, Map.of("name", model.name(), "ready", ready));
                } else if (target.action().isEmpty()) {
                    writeJson(response, 200, metadata(model, target.version()));
                } else {
                    throw new BadRequestException(405, "GET " + request.getRequestURI() + ": use POST");
                }
            }
        } catch (BadRequestException e) {
            writeError(response, e.status(), e.getMessage());
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long start = System.nanoTime();
        String tag = ServingMetrics.UNKNOWN_MODEL;
        try {
            List<String> path = segments(request);
            if (path.equals(List.of("repository", "index"))) {
                drainOrClose(request, response);
                writeJson(response, 200, index());
                return;
            }
            ModelPath target = ModelPath.parse(path);
            if (!target.action().equals("infer")) {
                throw new BadRequestException(405, "POST " + request.getRequestURI() + ": only .../infer takes POST");
            }
            ServedModel model = model(target.name());
            tag = model.name();
            ModelVersion version = serving(model, target.version());
            byte[] body = readBody(request);
            OptionalInt jsonLength = headerLength(request);
            infer(request, response, model, target.version(), version, body, jsonLength, start);
        } catch (BadRequestException e) {
            if (e.status() == 413) {
                // not read: the answer says the connection ends, so no client sends its next request on it
                response.setHeader("Connection", "close");
            } else {
                drainOrClose(request, response);
            }
            metrics.answered(tag, e.overloaded() ? Outcome.OVERLOADED : e.status() == 404 ? Outcome.NOT_FOUND
                    : e.status() == 503 ? Outcome.UNAVAILABLE : Outcome.BAD_REQUEST, System.nanoTime() - start);
            if (e.status() == 503) {
                response.setHeader("Retry-After", String.valueOf(config.retry_after_seconds()));
            }
            writeError(response, e.status(), e.getMessage());
        }
    }

    private void infer(HttpServletRequest request, HttpServletResponse response, ServedModel model,
            Optional<String> pinned, ModelVersion first, byte[] body, OptionalInt jsonLength, long start) {
        ModelVersion version = first;
        InferenceCall call = InferenceRequests.parse(body, jsonLength, version.signature());
        for (int attempt = 0; attempt < SUBMIT_TRIES; attempt++) {
            DynamicBatcher.Submission submission = version.batcher().submit(call.input(), call.images());
            if (submission instanceof DynamicBatcher.Submission.Queued queued) {
                ModelVersion ran = version;
                InferenceCall asked = call;
                AsyncContext async = request.startAsync();
                async.setTimeout(version.batcher().settings().timeout().toMillis() + 30_000);
                queued.result().whenComplete((rows, error) -> async.start(() -> {
                    try {
                        answer(response, model.name(), ran, asked, rows, error, start);
                    } finally {
                        async.complete();
                    }
                }));
                return;
            }
            if (submission instanceof DynamicBatcher.Submission.Full) {
                throw BadRequestException.overloaded("model " + model.name() + " has "
                        + version.batcher().settings().queueCapacity()
                        + " requests waiting; retry later");
            }
            // Closed: a newer version took over between the look-up and the submission; it serves the request
            ModelVersion next = serving(model, pinned);
            if (!next.signature().equals(version.signature())) {
                call = InferenceRequests.parse(body, jsonLength, next.signature());
            }
            version = next;
        }
        throw new BadRequestException(503, "model " + model.name() + " is being replaced; retry later");
    }

    private void answer(HttpServletResponse response, String model, ModelVersion version, InferenceCall call,
            float[] rows, Throwable error, long start) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        try {
            if (cause == null) {
                InferenceResponses.Body body = InferenceResponses.inference(model, version.version(),
                        version.signature(), call, rows);
                // counted before the answer leaves, so that a client that has it sees it counted
                metrics.answered(model, Outcome.OK, System.nanoTime() - start);
                response.setStatus(200);
                if (body.jsonLength().isPresent()) {
                    response.setContentType("application/octet-stream");
                    response.setHeader(HEADER_LENGTH, String.valueOf(body.jsonLength().getAsInt()));
                } else {
                    response.setContentType(JSON_TYPE);
                }
                response.setContentLength(body.body().length);
                response.getOutputStream().write(body.body());
            } else if (cause instanceof TimeoutException) {
                metrics.answered(model, Outcome.TIMEOUT, System.nanoTime() - start);
                writeError(response, 504, "model " + model + " did not answer within "
                        + config.request_timeout_millis() + " ms; the request was dropped");
            } else {
                LOG.warn("model {} version {} failed a batch", model, version.version(), cause);
                metrics.answered(model, Outcome.ERROR, System.nanoTime() - start);
                writeError(response, 500, "model " + model + " failed: " + cause);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not answer an inference request (client gone?)", e);
        }
    }

    private ServedModel model(String name) {
        ModelRepository repository = repositoryComponent.repository();
        return repository.model(name).orElseThrow(() -> new BadRequestException(404, "unknown model '" + name
                + "'; the repository has " + repository.models().stream().map(ServedModel::name).toList()));
    }

    /** The version that serves a request: the one named, if it is the one serving, else the one serving. */
    private static Optional<ModelVersion> resolve(ServedModel model, Optional<String> version) {
        Optional<ModelVersion> current = model.current();
        if (version.isPresent()) {
            boolean onDisk = model.versions().stream().anyMatch(v -> v.version().equals(version.get()));
            if (!onDisk) {
                throw new BadRequestException(404, "model " + model.name() + " has no version '" + version.get()
                        + "'");
            }
            return current.filter(v -> v.version().equals(version.get()));
        }
        return current;
    }

    private static ModelVersion serving(ServedModel model, Optional<String> version) {
        return resolve(model, version).orElseThrow(() -> new BadRequestException(version.isPresent() ? 404 : 503,
                "model " + model.name() + (version.isPresent() ? " version " + version.get() : "")
                        + " is not served: " + model.versions().stream().filter(v -> !v.reason().isEmpty())
                                .findFirst().map(v -> "version " + v.version() + ": " + v.reason())
                                .orElse("not loaded yet")));
    }

    private static Map<String, Object> metadata(ServedModel model, Optional<String> version) {
        Optional<ModelVersion> current = resolve(model, version);
        if (version.isPresent() && current.isEmpty()) {
            throw new BadRequestException(404, "model " + model.name() + " version " + version.get()
                    + " is not served");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", model.name());
        body.put("versions", current.map(v -> List.of(v.version())).orElse(List.of()));
        body.put("platform", current.map(v -> "penni_" + v.backend()).orElse("penni"));
        body.put("inputs", current.map(v -> List.of(tensor(v.signature().inputName(), new int[] {-1,
            v.signature().inputShape().channels(), v.signature().inputShape().height(),
            v.signature().inputShape().width()}))).orElse(List.of()));
        body.put("outputs", current.map(v -> List.of(tensor(v.signature().outputName(),
                new int[] {-1, v.signature().classes()}))).orElse(List.of()));
        // beyond the protocol: readiness and every version on disk with its state
        body.put("ready", current.isPresent());
        body.put("repository", model.versions());
        return body;
    }

    /** The model repository extension's index: every version on disk of every model, with its state. */
    private List<Map<String, Object>> index() {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (ServedModel model : repositoryComponent.repository().models()) {
            for (ServedModel.VersionState v : model.versions()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("name", model.name());
                entry.put("version", v.version());
                entry.put("state", v.state());
                entry.put("reason", v.reason());
                // beyond the extension: the backend running the version served now
                model.current().filter(c -> c.version().equals(v.version()))
                        .ifPresent(c -> entry.put("backend", c.backend()));
                entries.add(entry);
            }
        }
        return entries;
    }

    private static Map<String, Object> tensor(String name, int[] shape) {
        Map<String, Object> tensor = new LinkedHashMap<>();
        tensor.put("name", name);
        tensor.put("datatype", "FP32");
        tensor.put("shape", shape);
        return tensor;
    }

    /**
     * The body, refused with 413 before it is read when its declared length is over the limit. A declared length
     * (what every client of the protocol sends) is read straight into an array of that size: no growing buffer, no
     * copy, no 64 KiB scratch array per request.
     */
    private byte[] readBody(HttpServletRequest request) throws IOException {
        int limit = config.max_body_bytes();
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            throw new BadRequestException(413, "the body has " + declared + " bytes; the limit is " + limit);
        }
        try (InputStream in = request.getInputStream()) {
            if (declared >= 0) {
                byte[] body = in.readNBytes((int) declared);
                if (body.length < declared) {
                    throw new BadRequestException("the body ended after " + body.length + " of its declared "
                            + declared + " bytes");
                }
                return body;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (out.size() + n > limit) {
                    throw new BadRequestException(413, "the body has more than " + limit + " bytes, the limit");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    /**
     * Reads what is left of a refused request's body (up to the limit), so that the client, still sending it, reads
     * the answer instead of a reset connection and may send its next request on the same connection. A body that
     * goes on past the limit, or cannot be read, is left: the answer then says {@code Connection: close}, so that no
     * client sends a request on a connection the server is about to drop.
     */
    private void drainOrClose(HttpServletRequest request, HttpServletResponse response) {
        try (InputStream in = request.getInputStream()) {
            byte[] buffer = new byte[64 * 1024];
            long left = config.max_body_bytes() + 1L;
            int n;
            while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
                left -= n;
                if (left == 0) {
                    response.setHeader("Connection", "close");
                    return;
                }
            }
        } catch (IOException | IllegalStateException e) {
            LOG.debug("could not read the rest of a refused request", e);
            response.setHeader("Connection", "close");
        }
    }

    private static OptionalInt headerLength(HttpServletRequest request) {
        String value = request.getHeader(HEADER_LENGTH);
        if (value == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new BadRequestException(HEADER_LENGTH + " is '" + value + "'; it must be a byte count");
        }
    }

    private static List<String> segments(HttpServletRequest request) {
        String info = request.getPathInfo();
        if (info == null) {
            return List.of();
        }
        return Arrays.stream(info.split("/")).filter(s -> !s.isEmpty()).toList();
    }

    private static void writeJson(HttpServletResponse response, int status, Object body) throws IOException {
        byte[] bytes = body instanceof byte[] json ? json : InferenceResponses.json(body);
        response.setStatus(status);
        response.setContentType(JSON_TYPE);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static void writeError(HttpServletResponse response, int status, String message) throws IOException {
        writeJson(response, status, InferenceResponses.error(message));
    }

    /**
     * A path under {@code /v2/models}.
     *
     * @param name the model
     * @param version the version, when the path names one
     * @param action {@code ""} (metadata), {@code ready} or {@code infer}
     */
    record ModelPath(String name, Optional<String> version, String action) {

        static ModelPath parse(List<String> path) {
            if (path.size() < 2 || !path.get(0).equals("models")) {
                throw new BadRequestException(404, "no such endpoint: /v2/" + String.join("/", path));
            }
            List<String> rest = path.subList(2, path.size());
            Optional<String> version = Optional.empty();
            if (rest.size() >= 2 && rest.get(0).equals("versions")) {
                version = Optional.of(rest.get(1));
                rest = rest.subList(2, rest.size());
            }
            if (rest.size() > 1 || (rest.size() == 1 && !List.of("ready", "infer").contains(rest.get(0)))) {
                throw new BadRequestException(404, "no such endpoint: /v2/" + String.join("/", path));
            }
            return new ModelPath(path.get(1), version, rest.isEmpty() ? "" : rest.get(0));
        }
    }
}
