package io.penni.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.event.EventType;
import io.penni.workflow.Topics;

/**
 * The HTTP job API of a real server: each kind of bad POST gets its 4xx with a JSON error and publishes nothing,
 * except a request that reached validation, which is answered as the Kafka intake answers one (a job.rejected event
 * and a DLQ record, nothing on penni.requests); a good POST is on penni.requests under its job id and the intake
 * accepts it; the job list and the job's event stream show it.
 */
class DashboardApiTest {

    static {
        // the test sends a foreign Host header, as a DNS-rebinding page would make a browser do; the pom sets this
        // for the whole JVM (the JDK reads it once, so another test's HttpClient may have come first)
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    static ServerProcess server;
    static String api;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.prepare(dir.resolve("server"), dir.resolve("artifacts"), null).start();
        api = "http://127.0.0.1:" + server.httpPort() + "/penni/api/jobs";
        // the server says it is ready only once the dashboard has read the job table (before that, a POST gets 503)
        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.httpPort() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"dashboard\":\"ready\""), ready.body());
    }

    @AfterAll
    static void stop() throws Exception {
        assertEquals(0, server.stop());
    }

    @Test
    void badPostsGetAClear4xxAndOnlyARequestThatReachedValidationIsAnsweredOnKafka() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String good = "http-good-" + run;
        String schemaBad = "http-schema-" + run;
        String unknownNet = "http-unknown-" + run;
        List<String> unpublished = new ArrayList<>();

        expect(415, post(request("http-ctype-" + run), Map.of("Content-Type", "text/plain")), unpublished, "ctype");
        expect(415, post(request("http-form-" + run), Map.of("Content-Type", "application/x-www-form-urlencoded")),
                unpublished, "form");
        expect(403, post(request("http-origin-" + run), Map.of("Content-Type", "application/json",
                "Origin", "http://evil.example")), unpublished, "origin");
        expect(403, post(request("http-host-" + run), Map.of("Content-Type", "application/json",
                "Host", "rebound.example:" + server.httpPort())), unpublished, "host");
        String big = request("http-big-" + run) + " ".repeat(70_000);
        expect(413, post(big, Map.of("Content-Type", "application/json")), unpublished, "big");
        expect(400, post("{\"jobId\": \"http-notjson-" + run + "\", oops", Map.of("Content-Type", "application/json")),
                unpublished, "notjson");
        expect(400, post("[\"http-array-" + run + "\"]", Map.of("Content-Type", "application/json")), unpublished,
                "array");

        HttpResponse<String> schema = post("{\"jobId\": \"" + schemaBad + "\", \"model\": {\"architecture\": \"vgg-small\"},"
                + "\"dataset\": {\"format\": \"fashion-mnist\"}, \"penni\": {\"bases\": 0, \"gamma\": -1}}",
                Map.of("Content-Type", "application/json"));
        assertEquals(400, schema.statusCode(), schema.body());
        JsonNode errors = JSON.readTree(schema.body()).get("errors");
        assertTrue(errors.size() >= 2, "every problem is listed: " + errors);
        errors.forEach(e -> assertTrue(e.asText().startsWith("/"), "a JSON-pointer message: " + e));
        HttpResponse<String> unknown = post(request(unknownNet).replace("vgg-small", "no-such-net"),
                Map.of("Content-Type", "application/json"));
        assertEquals(400, unknown.statusCode(), unknown.body());
        assertTrue(unknown.body().contains("/model/architecture"), unknown.body());

        HttpResponse<String> accepted = post(request(good), Map.of("Content-Type", "application/json",
                "Origin", "http://127.0.0.1:" + server.httpPort()));
        assertEquals(202, accepted.statusCode(), accepted.body());
        assertEquals(good, JSON.readTree(accepted.body()).get("jobId").asText());

        List<ConsumerRecord<String, byte[]>> requests = readAll(Topics.REQUESTS);
        assertEquals(List.of(good), requests.stream().map(ConsumerRecord::key).toList(),
                "only the good request is on penni.requests");
        List<ConsumerRecord<String, byte[]>> dlq = readAll(Topics.REQUESTS_DLQ);
        assertEquals(2, dlq.size(), "a DLQ record for each request that reached validation, no more");
        assertEquals(java.util.Set.of(schemaBad, unknownNet), dlq.stream().map(r -> header(r, Topics.DLQ_JOB_HEADER))
                .collect(java.util.stream.Collectors.toSet()));
        long waited = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<ConsumerRecord<String, byte[]>> events = readAll(Topics.EVENTS);
        while (events.stream().noneMatch(r -> r.key().equals(good) && type(r).equals(EventType.JOB_ACCEPTED.type()))
                && System.nanoTime() < waited) {
            Thread.sleep(500);
            events = readAll(Topics.EVENTS);
        }
        assertTrue(events.stream().anyMatch(r -> r.key().equals(good) && type(r).equals(EventType.JOB_ACCEPTED.type())),
                "the intake accepted the good request");
        assertEquals(1, events.stream().filter(r -> r.key().equals(schemaBad)
                && type(r).equals(EventType.JOB_REJECTED.type())).count(), "one job.rejected for the bad request");
        for (List<ConsumerRecord<String, byte[]>> topic : List.of(requests, dlq, events, readAll(Topics.JOBS))) {
            for (ConsumerRecord<String, byte[]> r : topic) {
                String text = r.key() + " " + new String(r.value() == null ? new byte[0] : r.value(), StandardCharsets.UTF_8);
                for (String marker : unpublished) {
                    assertFalse(text.contains(marker), r.topic() + " carries " + marker + ": " + text);
                }
            }
        }

        // the board shows the job, and the job's event stream opens with its detail
        JsonNode listed = JSON.readTree(get(api).body());
        assertTrue(listed.get("jobs").findValuesAsText("id").contains(good), listed.toString());
        HttpResponse<java.io.InputStream> sse = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/" + good + "/events"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream", sse.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
            assertEquals("event: detail", lines.readLine());
            assertTrue(lines.readLine().contains("\"id\":\"" + good + "\""));
        }
        for (String escape : List.of("..%2F..%2Fpretrain%2Foutcome.json", "figures/..%2F..%2Fpretrain%2Foutcome.json")) {
            int code = get(api + "/" + good + "/files/" + escape).statusCode();
            assertTrue(code == 400 || code == 404, "a path out of the report folder is refused: " + escape + " " + code);
        }
        assertEquals(404, get(api + "/no-such-job").statusCode());
    }

    /**
     * A refused POST whose body arrives after its headers (as a client that writes them apart sends it) is answered,
     * and its connection either serves the next request or is announced closed: a client that keeps connections
     * alive must never send its next request on a connection the server drops without saying so (the JDK client did,
     * as "header parser received no bytes", when a 403 was answered before its body had arrived).
     */
    @Test
    void aRefusedPostLeavesItsConnectionUsableOrSaysItCloses() throws Exception {
        String host = "127.0.0.1:" + server.httpPort();
        String body = request("http-late-body-" + UUID.randomUUID().toString().substring(0, 8));
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put("403 host", "Host: rebound.example:" + server.httpPort() + "\r\nContent-Type: application/json");
        refusals.put("403 origin", "Host: " + host + "\r\nContent-Type: application/json\r\nOrigin: http://evil.example");
        refusals.put("415 content type", "Host: " + host + "\r\nContent-Type: text/plain");
        refusals.put("405 method", "Host: " + host + "\r\nContent-Type: application/json");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            String path = refusal.getKey().startsWith("405") ? "/penni/api/jobs/x" : "/penni/api/jobs";
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.httpPort())) {
                socket.setSoTimeout(10_000);
                var out = socket.getOutputStream();
                var in = new java.io.BufferedInputStream(socket.getInputStream());
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                out.write(("POST " + path + " HTTP/1.1\r\n" + refusal.getValue() + "\r\nContent-Length: "
                        + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(300);
                out.write(bytes);
                out.flush();
                RawAnswer refused = RawAnswer.read(in);
                assertEquals(Integer.parseInt(refusal.getKey().substring(0, 3)), refused.status(),
                        refusal.getKey() + ": " + refused.body());
                if (refused.closes()) {
                    assertEquals(-1, in.read(), refusal.getKey() + ": said it closes, so nothing more comes");
                    continue;
                }
                out.write(("GET /penni/api/jobs HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                RawAnswer next = RawAnswer.read(in);
                assertEquals(200, next.status(), refusal.getKey() + ": the kept-alive connection serves the next "
                        + "request");
                assertTrue(next.body().contains("\"jobs\""), next.body());
            }
        }
    }

    /**
     * A burst of new connections while the server cannot accept them (here: its process frozen, as in a long GC
     * pause) waits in the kernel's listen queue. With Java's default backlog of 50 the kernel dropped the SYNs past
     * it and each of those clients waited a second, then three, for its retry: the 1-second stalls of the serving
     * load test. Every connection of the burst must be established while the server is frozen, and answered once it
     * runs again.
     */
    @Test
    void aBurstOfNewConnectionsWaitsInTheListenQueueInsteadOfBeingDropped() throws Exception {
        // the kernel caps a listen queue at net.core.somaxconn (4096 on current kernels, 128 on old ones)
        java.nio.file.Path cap = java.nio.file.Path.of("/proc/sys/net/core/somaxconn");
        int burst = Math.min(300, java.nio.file.Files.isReadable(cap)
                ? Integer.parseInt(java.nio.file.Files.readString(cap).trim()) : 300);
        List<java.nio.channels.SocketChannel> channels = new ArrayList<>();
        int established = 0;
        server.freeze(true);
        try {
            for (int i = 0; i < burst; i++) {
                java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open();
                channels.add(channel);
                channel.configureBlocking(false);
                channel.connect(new java.net.InetSocketAddress("127.0.0.1", server.httpPort()));
            }
            long deadline = System.nanoTime() + 800_000_000L; // under the 1 s of a dropped SYN's first retry
            while (System.nanoTime() < deadline && established < burst) {
                established = 0;
                for (java.nio.channels.SocketChannel channel : channels) {
                    if (channel.isConnected() || channel.finishConnect()) {
                        established++;
                    }
                }
                Thread.sleep(20);
            }
        } finally {
            server.freeze(false);
        }
        try {
            assertEquals(burst, established, "connections established while the server could not accept");
            java.nio.channels.SocketChannel last = channels.get(burst - 1);
            last.configureBlocking(true);
            last.socket().setSoTimeout(30_000);
            last.write(java.nio.ByteBuffer.wrap(("GET /penni/api/jobs HTTP/1.1\r\nHost: 127.0.0.1:" + server.httpPort()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            RawAnswer answer = RawAnswer.read(last.socket().getInputStream());
            assertEquals(200, answer.status(), "the burst's last connection is answered: " + answer.body());
        } finally {
            for (java.nio.channels.SocketChannel channel : channels) {
                channel.close();
            }
        }
    }

    /** One HTTP/1.1 answer with a Content-Length, read off a socket. */
    record RawAnswer(int status, boolean closes, String body) {
        static RawAnswer read(java.io.InputStream in) throws java.io.IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new java.io.EOFException("the connection closed before an answer; got: " + head);
                }
                head.append((char) b);
            }
            List<String> lines = head.toString().lines().toList();
            int length = 0;
            boolean closes = false;
            boolean chunked = false;
            for (String line : lines.subList(1, lines.size())) {
                String lower = line.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(lower.substring(15).trim());
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    closes = true;
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            int status = Integer.parseInt(lines.get(0).split(" ")[1]);
            if (!chunked) {
                return new RawAnswer(status, closes, new String(in.readNBytes(length), StandardCharsets.UTF_8));
            }
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; ) {
                body.write(in.readNBytes(size));
                line(in);
            }
            line(in);
            return new RawAnswer(status, closes, body.toString(StandardCharsets.UTF_8));
        }

        private static String line(java.io.InputStream in) throws java.io.IOException {
            StringBuilder line = new StringBuilder();
            for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }

    private static void expect(int status, HttpResponse<String> response, List<String> unpublished, String what)
            throws Exception {
        assertEquals(status, response.statusCode(), what + ": " + response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), what);
        assertFalse(JSON.readTree(response.body()).get("error").asText().isBlank(), what);
        unpublished.add("http-" + what + "-");
    }

    static String request(String jobId) {
        return JobWatch.request(jobId, 512, 1);
    }

    private static HttpResponse<String> post(String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String type(ConsumerRecord<String, byte[]> r) {
        return header(r, "ce_type");
    }

    /** Every committed record of a topic, read to its end without a consumer group. */
    static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                server.kafka(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(all::add);
            }
            return all;
        }
    }
}
