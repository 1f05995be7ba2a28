package io.penni.bench.ort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.penni.api.model.Model;
import io.penni.inference.cpu.FmaPeak;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.model.Architectures;
import io.penni.model.ModelCounter;
import io.penni.model.ModelFiles;
import io.penni.onnx.ExportForm;
import io.penni.onnx.OnnxExport;

/**
 * Our engine against ONNX Runtime, in one run: per model and batch, the dense original on ORT (2 and 1 intra-op
 * threads, graph optimisation ALL), the compressed model on ORT in factored and in dense form, and the compressed
 * and the dense model on our engine, each in a fresh process ({@link Worker}), in turns that rotate every round.
 * Writes {@code NAME.json} (every process's figures) and {@code NAME.md} (medians, ratios to ORT dense, spread
 * across processes, memory). Usage:
 * {@code OrtBenchmark RESULTS_DIR NAME WORK_DIR BATCHES ROUNDS COMMIT MODEL...}, a model being a built-in
 * architecture as a stand-in ({@code vgg-small@0.97}: random weights, decomposed d = 5 and pruned at random to that
 * fraction) or a real pair ({@code demo=DENSE_MODEL_JSON,COMPRESSED_MODEL_JSON}).
 */
public final class OrtBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The same JVM settings for every process, whichever runtime it measures. */
    private static final List<String> JVM = List.of("-Xms32m", "-Xmx1g", "-XX:+UseSerialGC",
            "--add-modules", "jdk.incubator.vector");

    /** A runtime and model form measured. */
    private record Variant(String name, String runtime, String file, int threads, String what) {
    }

    private static final List<Variant> VARIANTS = List.of(
            new Variant("ort-dense", "ort", "dense.onnx", 2, "ORT, dense original, 2 threads"),
            new Variant("ort-dense-1t", "ort", "dense.onnx", 1, "ORT, dense original, 1 thread"),
            new Variant("ort-factored", "ort", "compressed-factored.onnx", 2, "ORT, compressed, factored form"),
            new Variant("ort-compressed-dense", "ort", "compressed-dense.onnx", 2, "ORT, compressed, dense form"),
            new Variant("engine", "engine", "compressed.json", 2, "our engine, compressed"),
            new Variant("engine-dense", "engine", "dense.json", 2, "our engine, dense original"));

    private OrtBenchmark() {
    }

    /**
     * @param args see the class comment
     * @throws Exception when a model cannot be prepared or a process fails
     */
    public static void main(String[] args) throws Exception {
        Path results = Path.of(args[0]);
        String name = args[1];
        Path work = Path.of(args[2]);
        int[] batches = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.parseInt(args[4]);
        String commit = args[5];
        List<String> specs = List.of(args).subList(6, args.length);

        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpu", cpuModel());
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.version"));
        machine.put("loadAverageAtStart", loadAverage());
        FmaPeak.Peak peak = FmaPeak.measure(2, Duration.ofMillis(500));
        machine.put("fmaPeakGflops2Threads", peak.gflops());
        machine.put("fmaPeakMethod", peak.method());

        Map<String, Map<String, Object>> models = new LinkedHashMap<>();
        for (String spec : specs) {
            models.put(label(spec), prepare(spec, work.resolve(label(spec))));
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        Instant start = Instant.now();
        for (int round = 0; round < rounds; round++) {
            int turn = 0;
            for (String model : models.keySet()) {
                for (int batch : batches) {
                    for (int i = 0; i < VARIANTS.size(); i++) {
                        Variant v = VARIANTS.get((i + round + turn) % VARIANTS.size());
                        Map<String, Object> run = measure(work.resolve(model), v, batch);
                        run.put("round", round);
                        run.put("model", model);
                        run.put("batch", batch);
                        run.put("variant", v.name());
                        runs.add(run);
                        System.out.printf(Locale.ROOT, "round %d  %-16s batch %-4d %-22s %9.3f ms%n", round + 1, model,
                                batch, v.name(), ((Number) run.get("medianMs")).doubleValue());
                    }
                    turn++;
                }
            }
        }
        machine.put("loadAverageAtEnd", loadAverage());
        machine.put("minutes", Duration.between(start, Instant.now()).toSeconds() / 60.0);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "bench/inference-ort/run");
        report.put("commit", commit);
        report.put("date", Instant.now().toString());
        report.put("machine", machine);
        report.put("jvm", JVM);
        report.put("variants", VARIANTS);
        report.put("models", models);
        report.put("runs", runs);
        Files.createDirectories(results);
        JSON.writeValue(results.resolve(name + ".json").toFile(), report);
        Files.writeString(results.resolve(name + ".md"),
                OrtReport.markdown(JSON.valueToTree(report), VARIANTS.stream().map(Variant::name).toList(),
                        VARIANTS.stream().map(Variant::what).toList()), StandardCharsets.UTF_8);
        System.out.println("wrote " + results.resolve(name + ".md"));
    }

    private static String label(String spec) {
        return spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : spec.replace('@', '-');
    }

    /** Writes the model's files (our format for the engine, ONNX for ORT) and says what they are. */
    private static Map<String, Object> prepare(String spec, Path dir) throws IOException {
        Files.createDirectories(dir);
        Model dense;
        Model compressed;
        String kind;
        if (spec.contains("=")) {
            String[] files = spec.substring(spec.indexOf('=') + 1).split(",");
            dense = ModelFiles.load(Path.of(files[0]));
            compressed = ModelFiles.load(Path.of(files[1]));
            kind = "real: " + files[1];
        } else {
            String[] parts = spec.split("@");
            double sparsity = Double.parseDouble(parts[1]);
            dense = Architectures.create(parts[0], 1);
            compressed = SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, 2), sparsity, 3);
            kind = "stand-in: random weights, decomposed d = 5, " + Math.round(sparsity * 100)
                    + " % of coefficients zero at random";
        }
        ModelFiles.save(dense, dir.resolve("dense.json"));
        ModelFiles.save(compressed, dir.resolve("compressed.json"));
        OnnxExport.write(dense, ExportForm.DENSE, dir.resolve("dense.onnx"));
        OnnxExport.write(compressed, ExportForm.FACTORED, dir.resolve("compressed-factored.onnx"));
        OnnxExport.write(compressed, ExportForm.DENSE, dir.resolve("compressed-dense.onnx"));
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("kind", kind);
        info.put("denseMacsPerImage", ModelCounter.count(dense).macs());
        info.put("compressedMacsPerImage", ModelCounter.count(compressed).macs());
        Map<String, Long> bytes = new LinkedHashMap<>();
        for (String f : List.of("dense.safetensors", "compressed.safetensors", "dense.onnx",
                "compressed-factored.onnx", "compressed-dense.onnx")) {
            bytes.put(f, Files.size(dir.resolve(f)));
        }
        info.put("bytesOnDisk", bytes);
        return info;
    }

    private static Map<String, Object> measure(Path dir, Variant v, int batch) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Worker.class.getName(), v.runtime(),
                dir.resolve(v.file()).toString(), String.valueOf(batch), String.valueOf(v.threads())));
        Path log = Files.createTempFile("worker", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(v.name() + " on " + dir + " at batch " + batch + " took over 10 minutes");
        }
        List<String> lines = Files.readAllLines(log);
        Files.delete(log);
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        if (process.exitValue() != 0 || !last.startsWith("{")) {
            throw new IllegalStateException(v.name() + " on " + dir + " at batch " + batch + " failed:\n"
                    + String.join("\n", lines));
        }
        JsonNode node = JSON.readTree(last);
        @SuppressWarnings("unchecked")
        Map<String, Object> run = JSON.convertValue(node, LinkedHashMap.class);
        return run;
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
