package io.penni.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.event.EventType;
import io.penni.api.job.DatasetSpec;
import io.penni.datasets.Batch;
import io.penni.datasets.BatchIterator;
import io.penni.datasets.Batches;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetLoader;
import io.penni.datasets.Normalization;
import io.penni.pipeline.CompressionRequests;

/**
 * A user's path from a compression job to a served model: a real job on real Fashion-MNIST, {@code bin/penni deploy
 * JOB}, then the job's test images (normalised as the evaluate stage does) through {@code /v2} — the first batch as
 * the protocol's JSON with the classification extension, the rest with the binary tensor extension — classified
 * as the job's report says the compressed model classifies them on the same engine.
 */
class ServeJobModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @Test
    void aCompletedJobsModelDeployedByTheCliServesTheReportsAccuracy() throws Exception {
        ServerProcess server = ServerProcess.prepare(dir.resolve("a"), dir.resolve("artifacts"), null).start();
        String job = "serve-" + UUID.randomUUID().toString().substring(0, 8);
        try (JobWatch watch = new JobWatch(server.kafka())) {
            String request = JobWatch.request(job, 2048, 1);
            watch.submit(job, request);
            watch.await(e -> e.jobId().equals(job) && e.type() == EventType.JOB_COMPLETED, Duration.ofMinutes(8),
                    "the job's completion");

            CliProcess.Result deploy = CliProcess.run(server.kafka(), "deploy", job, "--name", "fashion",
                    "--repository", server.base().resolve("var/models").toString());
            assertEquals(0, deploy.exitCode(), deploy.output());
            assertTrue(deploy.output().contains("deployed " + job + " as fashion version 1"), deploy.output());
            String base = server.httpUrl() + "/v2/models/fashion";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (get(base + "/ready").statusCode() != 200) {
                assertTrue(System.nanoTime() < deadline, "served within 60 s: " + get(base).body());
                Thread.sleep(250);
            }
            watch.await(e -> e.jobId().equals("fashion") && e.type() == EventType.MODEL_DEPLOYED
                    && "1".equals(e.data().get("version")), Duration.ofSeconds(30), "the model's deployed event");

            CliProcess.Result report = CliProcess.run(server.kafka(), "report", job, "--json");
            assertEquals(0, report.exitCode(), report.output());
            // the evaluate stage's top-1 of the compressed model on the same (cpu) engine and test images
            JsonNode cpu = JSON.readTree(report.output()).at("/inference/accuracy/cpu");
            assertTrue(cpu.isNumber(), "the report has the cpu engine's accuracy: " + report.output());
            double reported = cpu.asDouble();

            DatasetSpec spec = CompressionRequests.read(JSON.readTree(request), "serve-check").dataset();
            DataSplit data = DatasetLoader.load(spec, Path.of("/usr/share/datasets"));
            BatchIterator batches = Batches.evaluation(data.test(), Normalization.of(data.train()), 64);
            int right = 0;
            int seen = 0;
            boolean first = true;
            while (batches.hasNext()) {
                Batch batch = batches.next();
                int[] classes = first ? classifyJson(base, batch) : classifyBinary(base, batch);
                first = false;
                for (int i = 0; i < batch.size(); i++) {
                    right += classes[i] == batch.labels()[i] ? 1 : 0;
                    seen++;
                }
            }
            assertEquals(256, seen, "the request's 256 test images");
            assertEquals(reported, right / (double) seen, 1.5 / seen, String.format(Locale.ROOT,
                    "top-1 through /v2 (%d of %d) against the report's %.4f (at most one image apart, for a near tie "
                    + "that another batch size can turn)", right, seen, reported));
        } finally {
            assertEquals(0, server.stop(), "SIGTERM stops the server with exit code 0");
        }
    }

    /** The protocol's JSON body, asking for the best class of each image (classification extension). */
    private static int[] classifyJson(String base, Batch batch) throws Exception {
        StringBuilder values = new StringBuilder();
        int size = batch.size() * 784;
        for (int i = 0; i < size; i++) {
            values.append(i == 0 ? "" : ",").append(batch.images()[i]);
        }
        String body = """
                {"inputs": [{"name": "input", "shape": [%d, 1, 28, 28], "datatype": "FP32", "data": [%s]}],
                 "outputs": [{"name": "logits", "parameters": {"classification": 1}}]}"""
                .formatted(batch.size(), values);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/infer"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        JsonNode data = JSON.readTree(response.body()).at("/outputs/0/data");
        int[] classes = new int[batch.size()];
        for (int i = 0; i < classes.length; i++) {
            String entry = data.get(i).asText();
            classes[i] = Integer.parseInt(entry.substring(entry.lastIndexOf(':') + 1));
        }
        return classes;
    }

    /** The binary tensor extension both ways: raw FP32 in, raw FP32 logits out. */
    private static int[] classifyBinary(String base, Batch batch) throws Exception {
        int size = batch.size() * 784;
        byte[] header = """
                {"inputs": [{"name": "input", "shape": [%d, 1, 28, 28], "datatype": "FP32",
                  "parameters": {"binary_data_size": %d}}],
                 "outputs": [{"name": "logits", "parameters": {"binary_data": true}}]}"""
                .formatted(batch.size(), size * 4).getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(header.length + size * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.put(header);
        for (int i = 0; i < size; i++) {
            body.putFloat(batch.images()[i]);
        }
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/infer"))
                .header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", String.valueOf(header.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.array())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        int json = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        float[] logits = new float[(response.body().length - json) / 4];
        ByteBuffer.wrap(response.body(), json, logits.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .get(logits);
        int classesPerImage = logits.length / batch.size();
        int[] classes = new int[batch.size()];
        for (int i = 0; i < classes.length; i++) {
            for (int c = 1; c < classesPerImage; c++) {
                classes[i] = logits[i * classesPerImage + c] > logits[i * classesPerImage + classes[i]] ? c : classes[i];
            }
        }
        return classes;
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
