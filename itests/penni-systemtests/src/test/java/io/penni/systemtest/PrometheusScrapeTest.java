package io.penni.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.event.EventType;
import io.penni.workflow.Topics;

/**
 * Grafana's dashboard against a real Prometheus: the Debian package's {@code prometheus}, configured from the
 * repository's {@code docker/prometheus/prometheus.yml} (its target pointed at this server's port, its rule files
 * at the repository's, scraping every second), scrapes a real server that runs a tiny real job, has a stage task
 * that cannot be read (so one job fails), and serves the job's model under /v2 to a few inference requests. Then
 * every PromQL expression in {@code docker/grafana/dashboards/penni.json} must return at least one series through
 * Prometheus's HTTP API; the failure message lists each dead expression with its panel. On the way, the job's report
 * has its pictures and {@code bin/penni fetch} copies them.
 */
class PrometheusScrapeTest {

    private static final Path PROMETHEUS = Path.of(System.getProperty("penni.prometheus", "/usr/bin/prometheus"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Grafana's variables, as Grafana would expand them for a short time range. */
    private static final Map<String, String> GRAFANA_VARIABLES = Map.of("$__rate_interval", "1m", "$__range", "15m",
            "$__interval", "15s");

    @TempDir
    Path dir;

    @Test
    void everyDashboardExpressionReturnsASeriesFromARealPrometheusScrapingARealServer() throws Exception {
        assertTrue(Files.isExecutable(PROMETHEUS), PROMETHEUS + " is missing: install the Debian package prometheus "
                + "(.ci/run does)");
        ServerProcess server = ServerProcess.prepare(dir.resolve("base"), dir.resolve("artifacts"), null).start();
        Process prometheus = null;
        try {
            int prometheusPort = ServerProcess.freePort();
            Path config = derivedConfig(server.httpPort());
            prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort,
                    "--log.level=warn").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            String api = "http://127.0.0.1:" + prometheusPort;
            awaitReady(prometheus, api);

            String job = "prom-" + Long.toHexString(System.nanoTime());
            try (JobWatch watch = new JobWatch(server.kafka())) {
                watch.submit(job, JobWatch.request(job, 512, 1));
                unreadableStageTask(server.kafka(), job + "-poison");
                watch.await(e -> e.jobId().equals(job + "-poison") && e.type() == EventType.JOB_FAILED,
                        Duration.ofMinutes(2), "the failure of the job whose stage task cannot be read");
                watch.await(e -> e.jobId().equals(job) && e.type() == EventType.JOB_COMPLETED, Duration.ofMinutes(10),
                        "completion of " + job);
            }
            fetchedReportHasItsFigures(server.kafka(), job);
            inferThroughV2(server, job);
            // a few scrapes after the last request, so every meter has samples in the rate windows
            Thread.sleep(5000);

            List<String> dead = new ArrayList<>();
            int checked = 0;
            JsonNode dashboard = JSON.readTree(ServerProcess.REPO.resolve("docker/grafana/dashboards/penni.json").toFile());
            for (JsonNode panel : panels(dashboard)) {
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.path("expr").asText("");
                    if (expr.isEmpty()) {
                        continue;
                    }
                    checked++;
                    String query = expand(expr);
                    JsonNode answer = query(api, query);
                    if (!"success".equals(answer.path("status").asText())) {
                        dead.add(panel.path("title").asText() + ": " + expr + " -> " + answer.path("error").asText());
                    } else if (answer.path("data").path("result").isEmpty()) {
                        dead.add(panel.path("title").asText() + ": " + expr + " -> no series");
                    }
                }
            }
            assertTrue(checked >= 30, "the dashboard's expressions were found: " + checked);
            assertTrue(dead.isEmpty(), dead.size() + " of " + checked + " dashboard expressions return nothing from "
                    + "a real Prometheus scraping a real server:\n  " + String.join("\n  ", dead)
                    + "\nserver log:\n" + server.tail());
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
            assertEquals(0, server.stop());
        }
    }

    /**
     * The repository's scrape configuration with this server's port as its target, the rule files it names resolved
     * against the repository (and checked by promtool with the rest), scraping and evaluating every second.
     */
    private Path derivedConfig(int httpPort) throws IOException, InterruptedException {
        Path source = ServerProcess.REPO.resolve("docker/prometheus/prometheus.yml");
        String text = Files.readString(source);
        String target = "\"penni:8181\"";
        assertTrue(text.contains(target), source + " no longer scrapes " + target + "; update this test's derivation");
        text = text.replace(target, "\"127.0.0.1:" + httpPort + "\"")
                .replaceAll("(?m)^(\\s*)(scrape_interval|evaluation_interval):.*$", "$1$2: 1s");
        StringBuilder rewritten = new StringBuilder();
        boolean inRules = false;
        for (String line : text.split("\n", -1)) {
            if (line.matches("^\\S.*")) {
                inRules = line.startsWith("rule_files:");
            }
            Matcher item = Pattern.compile("^(\\s*-\\s*)([^\\s#\"']+)\\s*$").matcher(line);
            if (inRules && item.matches()) {
                line = item.group(1) + source.getParent().resolve(item.group(2)).toAbsolutePath();
            }
            rewritten.append(line).append('\n');
        }
        Path config = Files.writeString(dir.resolve("prometheus.yml"), rewritten.toString());
        Path promtool = PROMETHEUS.resolveSibling("promtool");
        if (Files.isExecutable(promtool)) {
            Process check = new ProcessBuilder(promtool.toString(), "check", "config", config.toString())
                    .redirectErrorStream(true).start();
            String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, check.waitFor(), "promtool check config on the derived configuration:\n" + out);
        }
        return config;
    }

    private void awaitReady(Process prometheus, String api) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!prometheus.isAlive()) {
                throw new IllegalStateException("prometheus exited with " + prometheus.exitValue() + ":\n"
                        + Files.readString(dir.resolve("prometheus.log")));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(api + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("prometheus did not get ready within 60 s");
    }

    /** A stage task that is not JSON: the job its key names fails with kind unreadable_task. */
    private static void unreadableStageTask(String kafka, String jobId) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka, ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.stage("decompose"), jobId,
                    "not a stage task".getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    /** bin/penni fetch copies the pictures report.json lists, where report.md links them. */
    private void fetchedReportHasItsFigures(String kafka, String job) throws Exception {
        Path fetched = dir.resolve("fetched");
        CliProcess.Result fetch = CliProcess.run(kafka, "fetch", job, fetched.toString());
        assertEquals(0, fetch.exitCode(), fetch.output());
        JsonNode report = JSON.readTree(fetched.resolve("report.json").toFile());
        assertTrue(report.path("figures").size() >= 3, "a decomposed layer's two pictures and the curves at least: "
                + report.path("figures"));
        String markdown = Files.readString(fetched.resolve("report.md"));
        for (JsonNode f : report.path("figures")) {
            Path file = fetched.resolve(f.path("file").asText());
            assertTrue(Files.isRegularFile(file), "report.json lists " + file + ", which fetch did not copy");
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(file.toFile());
            assertEquals(f.path("width").asInt(), image.getWidth(), file.toString());
            assertEquals(f.path("height").asInt(), image.getHeight(), file.toString());
            assertTrue(markdown.contains("](" + f.path("file").asText() + ")"), "report.md links " + file);
        }
    }

    /** Deploys the job's model with bin/penni deploy and sends a few JSON inference requests through /v2. */
    private static void inferThroughV2(ServerProcess server, String job) throws Exception {
        CliProcess.Result deploy = CliProcess.run(server.kafka(), "deploy", job, "--name", "prom-tiny",
                "--repository", server.base().resolve("var/models").toString());
        assertEquals(0, deploy.exitCode(), deploy.output());
        String model = "http://127.0.0.1:" + server.httpPort() + "/v2/models/prom-tiny";
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (HTTP.send(HttpRequest.newBuilder(URI.create(model + "/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "the deployed model did not get ready within 90 s:\n"
                    + server.tail());
            Thread.sleep(500);
        }
        JsonNode input = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(model)).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("inputs").get(0);
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 28 * 28; i++) {
            data.append(i == 0 ? "" : ",").append((i % 17) / 17.0);
        }
        String body = "{\"inputs\": [{\"name\": \"" + input.path("name").asText() + "\", \"shape\": [1, 1, 28, 28], "
                + "\"datatype\": \"FP32\", \"data\": [" + data + "]}]}";
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(model + "/infer"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
        }
    }

    private static String expand(String expr) {
        String q = expr;
        for (Map.Entry<String, String> v : GRAFANA_VARIABLES.entrySet()) {
            q = q.replace(v.getKey(), v.getValue());
        }
        assertTrue(!q.contains("$"), "a Grafana variable this test does not expand: " + expr);
        return q;
    }

    private static JsonNode query(String api, String query) throws IOException, InterruptedException {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(answer.body());
    }

    /** Every panel, those nested in collapsed rows included. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add);
        }
        return all;
    }
}
