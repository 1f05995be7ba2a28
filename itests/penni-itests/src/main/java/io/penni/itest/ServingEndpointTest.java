package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.model.Architectures;
import io.penni.model.ModelFiles;
import io.penni.model.ReferenceForward;

/**
 * Serving through the real container's HTTP port: a decomposed, pruned VGG dropped into the model repository
 * (var/models/NAME/VERSION/) is served under /v2 by the Open Inference Protocol; a request written as the
 * protocol's example, or with binary tensor data, gets the reference forward pass's logits (relative error ≤ 1e-4)
 * and, asked for, its classes; bad requests get 4xx with {"error": ...}; a second version dropped in under load
 * takes over with no failed request; a full queue (runtime-config/penni.serving.cfg changed live) answers 503 with
 * Retry-After.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class ServingEndpointTest {

    private String name = "itest-vgg";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @InjectBundleContext
    BundleContext context;

    @BeforeEach
    void nameTheModelAfterTheTest(TestInfo test) {
        name = "itest-" + test.getTestMethod().orElseThrow().getName().substring(0, 12).toLowerCase();
    }

    private Path models() {
        return Path.of(context.getProperty("penni.var.dir")).resolve("models");
    }

    private URI uri(String path) {
        String metrics = context.getProperty("penni.metrics.url");
        return URI.create(metrics.substring(0, metrics.length() - "/metrics".length()) + path);
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build());
    }

    private HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Model compressedVgg(long seed) {
        Model dense = Architectures.create("vgg-small", seed);
        return SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, seed), 0.9, seed);
    }

    private void deploy(Model model, String version) throws IOException {
        Path folder = Files.createDirectories(models().resolve(name).resolve(version));
        ModelFiles.save(model, folder.resolve("model.json"));
    }

    private static Tensor images(int batch) {
        return Logits.gaussianImages(batch, 9);
    }

    /** An inference request as the protocol document writes its example. */
    private static String request(Tensor images, String outputParameters) {
        StringBuilder data = new StringBuilder();
        for (float v : images.data()) {
            data.append(data.length() == 0 ? "" : ", ").append(v);
        }
        return """
                {
                  "id" : "42",
                  "inputs" : [
                    {
                      "name" : "input",
                      "shape" : [ %d, 1, 28, 28 ],
                      "datatype" : "FP32",
                      "data" : [ %s ]
                    }
                  ],
                  "outputs" : [
                    {
                      "name" : "logits"%s
                    }
                  ]
                }
                """.formatted(images.shape()[0], data, outputParameters);
    }

    /** The binary tensor data extension both ways: raw FP32 after the JSON in the request and in the answer. */
    private float[] inferBinary(Tensor images) throws IOException {
        byte[] json = """
                {"inputs": [{"name": "input", "shape": [%d, 1, 28, 28], "datatype": "FP32",
                  "parameters": {"binary_data_size": %d}}],
                 "outputs": [{"name": "logits", "parameters": {"binary_data": true}}]}"""
                .formatted(images.shape()[0], images.size() * 4).getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(json.length + images.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.put(json);
        for (float v : images.data()) {
            body.putFloat(v);
        }
        HttpResponse<byte[]> response;
        try {
            response = HTTP.send(HttpRequest.newBuilder(uri("/v2/models/" + name + "/infer"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/octet-stream")
                    .header("Inference-Header-Content-Length", String.valueOf(json.length))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.array())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        int jsonLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length")
                .orElseThrow());
        JsonNode output = JSON.readTree(response.body(), 0, jsonLength).get("outputs").get(0);
        int size = output.get("parameters").get("binary_data_size").asInt();
        assertEquals(response.body().length - jsonLength, size);
        float[] values = new float[size / 4];
        ByteBuffer.wrap(response.body(), jsonLength, size).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static double relativeError(JsonNode actual, float[] reference) {
        float[] values = new float[actual.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) actual.get(i).asDouble();
        }
        return Logits.relativeError(values, reference);
    }

    private void awaitVersion(String version) throws InterruptedException {
        String path = "/v2/models/" + name + "/versions/" + version + "/ready";
        try {
            Await.until(name + " version " + version + " served", Duration.ofSeconds(60),
                    () -> get(path).statusCode() == 200);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the model's metadata: " + get("/v2/models/" + name).body(), e);
        }
    }

    @AfterEach
    void removeModel() throws IOException {
        Path folder = models().resolve(name);
        if (Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void aModelDroppedIntoTheRepositoryIsServedLikeTheReferenceForwardPass(@InjectService MeterRegistry registry)
            throws Exception {
        assertEquals(200, get("/v2/health/live").statusCode());
        JsonNode server = JSON.readTree(get("/v2").body());
        assertEquals("penni", server.get("name").asText());

        Model model = compressedVgg(11);
        deploy(model, "1");
        awaitVersion("1");

        JsonNode metadata = JSON.readTree(get("/v2/models/" + name).body());
        assertEquals("[-1,1,28,28]", metadata.get("inputs").get(0).get("shape").toString(), metadata.toString());
        assertEquals("[-1,10]", metadata.get("outputs").get(0).get("shape").toString());
        assertEquals("[\"1\"]", metadata.get("versions").toString());

        Tensor images = images(3);
        float[] reference = ReferenceForward.forward(model, images).data();
        HttpResponse<String> response = post("/v2/models/" + name + "/infer", request(images, ""));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals("42", body.get("id").asText());
        assertEquals(name, body.get("model_name").asText());
        assertEquals("1", body.get("model_version").asText());
        JsonNode output = body.get("outputs").get(0);
        assertEquals("logits", output.get("name").asText());
        assertEquals("FP32", output.get("datatype").asText());
        assertEquals("[3,10]", output.get("shape").toString());
        double error = relativeError(output.get("data"), reference);
        assertTrue(error <= 1e-4, "relative error " + error);

        HttpResponse<String> classes = post("/v2/models/" + name + "/versions/1/infer",
                request(images, ",\n      \"parameters\" : { \"classification\" : 1 }"));
        assertEquals(200, classes.statusCode(), classes.body());
        JsonNode best = JSON.readTree(classes.body()).get("outputs").get(0);
        assertEquals("BYTES", best.get("datatype").asText());
        for (int i = 0; i < 3; i++) {
            int argmax = 0;
            for (int c = 1; c < 10; c++) {
                argmax = reference[i * 10 + c] > reference[i * 10 + argmax] ? c : argmax;
            }
            String entry = best.get("data").get(i).asText();
            assertTrue(entry.endsWith(":" + argmax), entry + " for class " + argmax);
        }

        float[] binary = inferBinary(images);
        double binaryError = Logits.relativeError(binary, reference);
        assertTrue(binaryError <= 1e-4, "binary: relative error " + binaryError);
        // a request of 64 images: one batch of 64, its answer 640 values
        Tensor many = images(64);
        double manyError = Logits.relativeError(inferBinary(many), ReferenceForward.forward(model, many).data());
        assertTrue(manyError <= 1e-4, "64 images, binary: relative error " + manyError);

        assertTrue(registry.get("penni.inference.requests").tags("model", name, "outcome", "ok").counter()
                .count() >= 2);
        assertTrue(registry.get("penni.inference.batch.size").tags("model", name).summary().count() >= 2);
    }

    @Test
    void aVersionsDeploymentFileChoosesItsBackendAndEveryChangeIsPublishedAsAnEvent() throws Exception {
        try (KafkaJobs events = new KafkaJobs(context)) {
            Model first = compressedVgg(21);
            // the deployment file first: the version must never be served without it
            Files.writeString(Files.createDirectories(models().resolve(name).resolve("1")).resolve("deployment.json"),
                    "{\"backend\": \"onnxruntime\"}");
            deploy(first, "1");
            awaitVersion("1");
            Tensor images = images(2);
            HttpResponse<String> response = post("/v2/models/" + name + "/infer", request(images, ""));
            assertEquals(200, response.statusCode(), response.body());
            double error = relativeError(JSON.readTree(response.body()).get("outputs").get(0).get("data"),
                    ReferenceForward.forward(first, images).data());
            assertTrue(error <= 1e-4, "ONNX Runtime: relative error " + error);
            assertEquals("onnxruntime", indexEntry("1").get("backend").asText());

            // a version asking for a backend this server lacks is not served; the one before keeps serving
            Files.writeString(Files.createDirectories(models().resolve(name).resolve("2")).resolve("deployment.json"),
                    "{\"backend\": \"tpu\"}");
            deploy(compressedVgg(22), "2");
            Await.until(name + " version 2 failed", Duration.ofSeconds(60),
                    () -> indexEntry("2") != null && indexEntry("2").get("state").asText().equals("FAILED"));
            assertTrue(indexEntry("2").get("reason").asText().contains("asks for the 'tpu' backend, which this "
                    + "server does not have"), indexEntry("2").toString());
            assertEquals(200, post("/v2/models/" + name + "/infer", request(images, "")).statusCode());

            deploy(compressedVgg(23), "3");
            awaitVersion("3");
            assertEquals("cpu", indexEntry("3").get("backend").asText());

            JobEvent deployed = events.await(e -> e.type() == EventType.MODEL_DEPLOYED && e.jobId().equals(name)
                    && "1".equals(e.data().get("version")), Duration.ofSeconds(30), "deployed event of version 1");
            assertEquals("onnxruntime", deployed.data().get("backend"));
            assertEquals(List.of(-1, 1, 28, 28), deployed.data().get("input"));
            JobEvent replaced = events.await(e -> e.type() == EventType.MODEL_UNDEPLOYED && e.jobId().equals(name)
                    && "1".equals(e.data().get("version")), Duration.ofSeconds(30), "undeployed event of version 1");
            assertEquals("replaced by version 3", replaced.data().get("reason"));
            JobEvent third = events.await(e -> e.type() == EventType.MODEL_DEPLOYED && e.jobId().equals(name)
                    && "3".equals(e.data().get("version")), Duration.ofSeconds(30), "deployed event of version 3");
            assertEquals("cpu", third.data().get("backend"));
            assertTrue(events.seen().stream().noneMatch(e -> e.jobId().equals(name)
                    && "2".equals(e.data().get("version"))), "version 2 was never served: " + events.seen());
        }
    }

    /** The repository index's entry of a version of this test's model, or null. */
    private JsonNode indexEntry(String version) {
        try {
            for (JsonNode entry : JSON.readTree(post("/v2/repository/index", "{}").body())) {
                if (entry.get("name").asText().equals(name) && entry.get("version").asText().equals(version)) {
                    return entry;
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void badRequestsGetAClientErrorWithTheProtocolsErrorBody() throws Exception {
        deploy(compressedVgg(12), "1");
        awaitVersion("1");
        String good = request(images(1), "");
        assertError(400, post("/v2/models/" + name + "/infer", good.replace("[ 1, 1, 28, 28 ]", "[ 1, 1, 27, 28 ]")));
        assertError(400, post("/v2/models/" + name + "/infer", good.replace("\"FP32\"", "\"INT32\"")));
        assertError(400, post("/v2/models/" + name + "/infer", good.replace("\"data\" : [ ", "\"data\" : [ 1e39, ")));
        assertError(400, post("/v2/models/" + name + "/infer", good.substring(0, good.length() / 2)));
        assertError(404, post("/v2/models/no-such-model/infer", good));
        assertError(404, get("/v2/models/no-such-model"));
        assertError(404, post("/v2/models/" + name + "/versions/7/infer", good));
        assertEquals(413, declaredTooLarge("/v2/models/" + name + "/infer"));
        // still serving
        assertEquals(200, post("/v2/models/" + name + "/infer", good).statusCode());
    }

    /**
     * Declares a body of 1 GB and sends none of it: the answer must come from the declared length alone, and say that
     * the connection closes (its body is not read, so no next request may follow on it).
     */
    private int declaredTooLarge(String path) throws IOException {
        URI target = uri(path);
        try (Socket socket = new Socket(target.getHost(), target.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: " + target.getHost()
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            BufferedReader answer = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            String status = answer.readLine();
            List<String> headers = new ArrayList<>();
            for (String line; (line = answer.readLine()) != null && !line.isEmpty(); ) {
                headers.add(line.toLowerCase(java.util.Locale.ROOT));
            }
            assertTrue(headers.contains("connection: close"), "the 413 says the connection closes: " + headers);
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        deploy(compressedVgg(15), "1");
        awaitVersion("1");
        Path config = Path.of(context.getProperty("penni.config.dir")).resolve("penni.serving.cfg");
        String shipped = Files.readString(config);
        String body = request(images(32), "");
        try {
            // a queue of one request, no batching: a burst of large requests must overflow it
            Files.writeString(config, shipped.replace("queue.capacity=256", "queue.capacity=1")
                    .replace("max.batch=32", "max.batch=1"));
            // the new settings reach the model by a reload swapped in like a new version: nothing fails meanwhile
            HttpResponse<String> overloaded = awaitOverload(body, "a 503 from the full queue");
            assertEquals("1", overloaded.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(JSON.readTree(overloaded.body()).get("error").isTextual());
        } finally {
            Files.writeString(config, shipped);
        }
    }

    @Test
    void aVersionsOwnQueueCapacityOverridesTheConfigurations() throws Exception {
        // the configuration keeps its 256 waiting requests; this version's deployment file allows one, no batching
        Files.writeString(Files.createDirectories(models().resolve(name).resolve("1")).resolve("deployment.json"),
                "{\"queueCapacity\": 1, \"maxBatch\": 1, \"requestTimeoutMillis\": 60000}");
        deploy(compressedVgg(16), "1");
        awaitVersion("1");
        String body = request(images(32), "");
        HttpResponse<String> overloaded = awaitOverload(body, "a 503 from the version's own full queue");
        assertTrue(overloaded.body().contains(" has 1 requests waiting"),
                "the version's capacity, not the configuration's 256: " + overloaded.body());
    }

    /**
     * Sends bursts of the request until one is refused for a full queue; every answer meanwhile is 200 or that 503.
     *
     * @return the first overload answer (a 503 with Retry-After naming the waiting requests)
     */
    private HttpResponse<String> awaitOverload(String body, String what) throws Exception {
        List<HttpResponse<String>> overloaded = new ArrayList<>();
        List<String> others = new ArrayList<>();
        Await.until(what, Duration.ofSeconds(90), () -> {
            List<HttpResponse<String>> answers = burst(body, 8);
            answers.stream().filter(r -> r.statusCode() != 200 && r.statusCode() != 503)
                    .forEach(r -> others.add(r.statusCode() + " " + r.body()));
            answers.stream().filter(r -> r.statusCode() == 503 && r.headers().firstValue("Retry-After")
                    .isPresent() && r.body().contains("requests waiting")).forEach(overloaded::add);
            return !overloaded.isEmpty();
        });
        assertEquals(List.of(), others);
        return overloaded.get(0);
    }

    /** Sends the same request from n threads at once; the answers that came (a refused connection is none). */
    private List<HttpResponse<String>> burst(String body, int n) {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            answers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try {
                    return post("/v2/models/" + name + "/infer", body);
                } catch (UncheckedIOException e) {
                    return null;
                }
            }, runnable -> new Thread(runnable).start()));
        }
        go.countDown();
        return answers.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList();
    }

    private static void assertError(int status, HttpResponse<String> response) throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(JSON.readTree(response.body()).get("error").isTextual(), response.body());
    }

    @Test
    void aNewVersionTakesOverUnderLoadWithoutAFailedRequest() throws Exception {
        deploy(compressedVgg(13), "1");
        awaitVersion("1");
        String body = request(images(1), "");
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> versions = new ConcurrentLinkedQueue<>();
        AtomicInteger answered = new AtomicInteger();
        List<Thread> clients = Stream.generate(() -> new Thread(() -> {
            while (running.get()) {
                HttpResponse<String> r = post("/v2/models/" + name + "/infer", body);
                answered.incrementAndGet();
                if (r.statusCode() != 200) {
                    failures.add(r.statusCode() + " " + r.body());
                } else {
                    try {
                        versions.add(JSON.readTree(r.body()).get("model_version").asText());
                    } catch (IOException e) {
                        failures.add(e.toString());
                    }
                }
            }
        })).limit(4).toList();
        clients.forEach(Thread::start);
        try {
            Await.until("requests answered by version 1", Duration.ofSeconds(30), () -> versions.contains("1"));
            deploy(compressedVgg(14), "2");
            Await.until("requests answered by version 2", Duration.ofSeconds(120), () -> versions.contains("2"));
            int at = answered.get();
            Await.until("more requests after the swap", Duration.ofSeconds(30), () -> answered.get() > at + 20);
        } finally {
            running.set(false);
            for (Thread client : clients) {
                client.join(60_000);
            }
        }
        assertEquals(List.of(), List.copyOf(failures));
        assertTrue(answered.get() > 20, answered + " requests");
    }
}
