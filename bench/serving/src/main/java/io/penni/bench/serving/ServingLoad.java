package io.penni.bench.serving;

import java.io.IOException;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The serving load test (issue 17): every served configuration at every rate, configurations in rotating order at
 * each rate so that none always runs first, one-image requests with the binary tensor extension, open loop, after a
 * warm-up of every configuration. A configuration that delivered less than 90 % of a rate, or refused or failed a
 * request, is not offered higher rates. Writes
 * {@code NAME.json} and {@code NAME.md}.
 *
 * <p>Usage: {@code prepare REPOSITORY SOURCE MAX_BATCH DELAY_MICROS} writes the models;
 * {@code load BASE_URL RESULTS NAME SOURCE RATES SECONDS MAX_BATCH DELAY_MICROS REVISION} runs the load.
 */
public final class ServingLoad {

    private static final double P99_LIMIT_MS = 10;
    private static final Pattern LOAD = Pattern.compile("^(\\S+) (\\S+) (\\S+)");

    private ServingLoad() {
    }

    /**
     * @param args see the class comment
     * @throws Exception when the benchmark cannot run
     */
    public static void main(String[] args) throws Exception {
        if (args[0].equals("prepare")) {
            for (Deployments.Served s : Deployments.write(Path.of(args[1]), args[2], Integer.parseInt(args[3]),
                    Long.parseLong(args[4]))) {
                System.out.println(s.name());
            }
            return;
        }
        String base = args[1];
        Path results = Path.of(args[2]);
        String name = args[3];
        String source = args[4];
        double[] rates = Arrays.stream(args[5].split(",")).mapToDouble(Double::parseDouble).toArray();
        double seconds = Double.parseDouble(args[6]);
        int maxBatch = Integer.parseInt(args[7]);
        long delay = Long.parseLong(args[8]);
        String revision = args[9];

        // CONFIGS (environment) picks a subset, for short runs while developing
        String only = System.getenv().getOrDefault("CONFIGS", "");
        List<Deployments.Served> served = only.isBlank() ? Deployments.CONFIGURATIONS
                : Deployments.CONFIGURATIONS.stream().filter(s -> List.of(only.split(",")).contains(s.name())).toList();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (Deployments.Served s : served) {
            awaitReady(client, URI.create(base + "/v2/models/" + s.name() + "/ready"));
        }
        int headerLength = header().length;
        byte[] body = body();

        // every configuration warmed up first (class loading, JIT, the first batches), nothing recorded
        // then again at a rate that makes batches of several images: the batched code paths get compiled before
        // the first measured step instead of during it (a per-thread CPU profile of a 10 s step found the JIT's
        // compiler threads at 45 % of a core with only the 200 req/s warm-up behind it)
        double busy = Math.min(800, Arrays.stream(rates).max().orElse(200));
        for (Deployments.Served s : served) {
            LoadStep.run(URI.create(base + "/v2/models/" + s.name() + "/infer"), body, headerLength, 200, 4.0,
                    0.5);
            LoadStep.run(URI.create(base + "/v2/models/" + s.name() + "/infer"), body, headerLength, busy, 4.0,
                    0.5);
        }
        // what the server costs doing nothing (its broker, its scans): the floor under every CPU-per-answer figure
        double idleFrom = serverCpuSeconds();
        Thread.sleep(3000);
        double idlePercent = (serverCpuSeconds() - idleFrom) / 3.0 * 100;
        System.out.printf(Locale.ROOT, "server idle: %.1f %% of a core%n", idlePercent);
        List<Map<String, Object>> steps = new ArrayList<>();
        Set<String> saturated = new HashSet<>();
        for (int r = 0; r < rates.length; r++) {
            for (int i = 0; i < served.size(); i++) {
                Deployments.Served s = served.get((i + r) % served.size());
                if (saturated.contains(s.name())) {
                    continue;
                }
                Map<String, Double> before = batches(client, base, s.name());
                String loadBefore = loadAverage();
                double serverCpuBefore = serverCpuSeconds();
                double ownCpuBefore = ownCpuSeconds();
                LoadStep.Result result = LoadStep.run(URI.create(base + "/v2/models/" + s.name() + "/infer"),
                        body, headerLength, rates[r], 1.0, seconds);
                double serverCpu = serverCpuSeconds() - serverCpuBefore;
                double ownCpu = ownCpuSeconds() - ownCpuBefore;
                Map<String, Double> after = batches(client, base, s.name());
                double batchCount = after.get("count") - before.get("count");
                double meanBatch = batchCount == 0 ? Double.NaN : (after.get("sum") - before.get("sum")) / batchCount;
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("config", s.name());
                step.put("model", s.model());
                step.put("backend", s.backend());
                step.put("batching", s.batched());
                step.put("offered", rates[r]);
                step.put("sent", result.sent());
                step.put("ok", result.ok());
                step.put("served", result.served());
                step.put("rejected503", result.rejected());
                step.put("failed", result.failed());
                step.put("throughput", result.throughput());
                step.put("p50Ms", result.p50());
                step.put("p99Ms", result.p99());
                step.put("maxMs", result.max());
                step.put("meanBatch", meanBatch);
                step.put("held", result.held(P99_LIMIT_MS));
                step.put("load", loadBefore + " → " + loadAverage());
                // the whole step (1 s warm-up + measured window) over the requests sent in it, at the offered rate
                double stepRequests = rates[r] * (1.0 + seconds);
                step.put("serverCpuMicrosPerAnswer", serverCpu * 1e6 / Math.max(1, Math.min(stepRequests,
                        result.ok() * (1.0 + seconds) / seconds)));
                step.put("generatorCpuMicrosPerRequest", ownCpu * 1e6 / stepRequests);
                step.put("firstError", result.firstError());
                steps.add(step);
                System.out.printf(Locale.ROOT, "%-24s %7.0f/s: %7.1f answers/s  p50 %7.2f ms  p99 %8.2f ms  batch %5.1f"
                        + "  503 %d  failed %d  cpu/answer server %4.0f µs  generator %4.0f µs%n", s.name(), rates[r],
                        result.throughput(), result.p50(), result.p99(), meanBatch, result.rejected(),
                        result.failed(), (Double) step.get("serverCpuMicrosPerAnswer"),
                        (Double) step.get("generatorCpuMicrosPerRequest"));
                // a configuration that cannot keep up with a rate is not offered higher ones
                if (result.throughput() < 0.9 * rates[r] || result.rejected() + result.failed() > 0) {
                    saturated.add(s.name());
                }
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "serving");
        report.put("time", Instant.now().toString());
        report.put("revision", revision);
        report.put("machine", machine());
        report.put("source", source);
        report.put("secondsPerStep", seconds);
        report.put("maxBatch", maxBatch);
        report.put("maxQueueDelayMicros", delay);
        report.put("p99LimitMs", P99_LIMIT_MS);
        report.put("serverIdleCpuPercent", idlePercent);
        report.put("engineThreads", System.getenv().getOrDefault("ENGINE_THREADS", "one per core"));
        report.put("steps", steps);
        Map<String, Object> summary = summary(served, steps);
        report.put("summary", summary);
        Files.createDirectories(results);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(
                results.resolve(name + ".json").toFile(), report);
        Files.writeString(results.resolve(name + ".md"), ServingMarkdown.write(report, served, steps, summary));
        System.out.println("wrote " + results.resolve(name + ".md"));
    }

    /** Per configuration: the highest rate held with p99 under the limit, and the highest throughput seen. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> summary(List<Deployments.Served> served, List<Map<String, Object>> steps) {
        Map<String, Object> summary = new LinkedHashMap<>();
        for (Deployments.Served s : served) {
            double held = 0;
            double peak = 0;
            for (Map<String, Object> step : steps) {
                if (step.get("config").equals(s.name())) {
                    if ((Boolean) step.get("held")) {
                        held = Math.max(held, (Double) step.get("offered"));
                    }
                    peak = Math.max(peak, (Double) step.get("throughput"));
                }
            }
            summary.put(s.name(), Map.of("heldRate", held, "peakThroughput", peak));
        }
        double oursBatched = rate(summary, "ours-compressed-batched");
        double oursSingle = rate(summary, "ours-compressed-single");
        double ortBatched = rate(summary, "ort-dense-batched");
        summary.put("batchingGain", oursSingle == 0 ? Double.NaN : oursBatched / oursSingle);
        summary.put("oursOverOrtDense", ortBatched == 0 ? Double.NaN : oursBatched / ortBatched);
        return summary;
    }

    @SuppressWarnings("unchecked")
    private static double rate(Map<String, Object> summary, String config) {
        Map<String, Object> entry = (Map<String, Object>) summary.get(config);
        return entry == null ? 0 : (Double) entry.get("heldRate"); // not run: a subset was asked for
    }

    private static void awaitReady(HttpClient client, URI ready) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(ready + " did not answer 200 within 180 s");
    }

    private static byte[] header() {
        return """
                {"inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": "FP32",
                  "parameters": {"binary_data_size": 3136}}],
                 "outputs": [{"name": "logits", "parameters": {"binary_data": true}}]}"""
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] body() {
        byte[] header = header();
        ByteBuffer body = ByteBuffer.allocate(header.length + 784 * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.put(header);
        Random random = new Random(7);
        for (int i = 0; i < 784; i++) {
            body.putFloat((float) random.nextGaussian());
        }
        return body.array();
    }

    /** The model's batch-size summary's sum and count from /metrics. */
    private static Map<String, Double> batches(HttpClient client, String base, String model) throws Exception {
        String text = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> values = new LinkedHashMap<>(Map.of("sum", 0.0, "count", 0.0));
        Pattern line = Pattern.compile("^penni_inference_batch_size\\w*_(sum|count)\\{[^}]*model=\"" + Pattern.quote(model)
                + "\"[^}]*\\} (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(text);
        while (m.find()) {
            values.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        }
        return values;
    }

    /** The server's CPU time so far, from /proc (SERVER_PID from bench/serving/run); NaN when unknown. */
    private static double serverCpuSeconds() {
        String pid = System.getenv().getOrDefault("SERVER_PID", "");
        if (pid.isBlank()) {
            return Double.NaN;
        }
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // fields after the command's closing parenthesis: utime and stime are the 12th and 13th
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** This process's CPU time so far. */
    private static double ownCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    private static String loadAverage() {
        try {
            Matcher m = LOAD.matcher(Files.readString(Path.of("/proc/loadavg")));
            return m.find() ? m.group(1) : "?";
        } catch (IOException e) {
            return "?";
        }
    }

    private static String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            // unknown
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version");
    }
}
