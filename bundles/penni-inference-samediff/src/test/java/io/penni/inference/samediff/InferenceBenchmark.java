package io.penni.inference.samediff;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.model.Model;
import io.penni.inference.cpu.CpuEngine;
import io.penni.inference.cpu.CpuModel;
import io.penni.inference.cpu.EngineOptions;
import io.penni.inference.cpu.FmaPeak;
import io.penni.inference.cpu.LatencyProbe;
import io.penni.inference.cpu.LatencyStats;
import io.penni.inference.cpu.LayerProfile;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.model.Architectures;
import io.penni.model.ModelCounter;

/**
 * The inference benchmark (bench/inference/run): for vgg-small and resnet-small, the dense model on the dense
 * reference backend beside the same model decomposed (d = 5) and pruned (0, 90, 97 % of coefficients) on the
 * CPU engine, at batch 1, 32 and 128, all variants of one network timed in turns in one process so their
 * ratios are fair on a shared machine; memory as each backend reports it; GFLOP/s of each step of the CPU engine
 * against the machine's measured float32 peak. Writes JSON and a Markdown table.
 *
 * <p>Arguments: {@code OUT.json OUT.md [batches, default 1,32,128] [rounds scale, default 1]}.
 */
public final class InferenceBenchmark {

    private InferenceBenchmark() {
    }

    private record Variant(String name, String backend, Model model, LoadedModel loaded, long macs) {
    }

    /**
     * Runs the benchmark.
     *
     * @param args output files, batch sizes, a scale for the number of timed runs
     * @throws IOException when the results cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path json = Path.of(args[0]);
        Path markdown = Path.of(args[1]);
        List<Integer> batches = args.length > 2 ? List.of(args[2].split(",")).stream().map(Integer::parseInt).toList()
                : List.of(1, 32, 128);
        double scale = args.length > 3 ? Double.parseDouble(args[3]) : 1.0;
        int threads = Runtime.getRuntime().availableProcessors();

        FmaPeak.Peak peak = FmaPeak.measure(threads, Duration.ofSeconds(1));
        FmaPeak.Peak peakOne = FmaPeak.measure(1, Duration.ofSeconds(1));
        System.out.printf(Locale.ROOT, "fp32 peak: %.1f GFLOP/s on %d threads, %.1f on one (%s)%n", peak.gflops(),
                threads, peakOne.gflops(), peak.method());

        SameDiffEngine reference = new SameDiffEngine();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("benchmark", "inference");
        root.put("date", Instant.now().toString());
        root.put("java", System.getProperty("java.version"));
        root.put("cpus", threads);
        root.put("cpu_model", cpuModel());
        root.put("load_average_start", loadAverage());
        root.put("fp32_peak_gflops", round(peak.gflops()));
        root.put("fp32_peak_gflops_one_thread", round(peakOne.gflops()));
        root.put("fp32_peak_method", peak.method());
        root.put("reference_backend", reference.info().device());
        List<Object> networks = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        md.append("# Inference benchmark\n\n").append(String.format(Locale.ROOT,
                "Machine: %s, %d cores; fp32 peak %.1f GFLOP/s (%.1f on one thread), measured by a %s.%n%n",
                cpuModel(), threads, peak.gflops(), peakOne.gflops(), peak.method()));
        md.append("Compressed models are stand-ins (bench/README.md): random d = 5 factors, the given fraction of "
                + "coefficients pruned at random, nothing shrunk. Every ratio is against the dense model on the "
                + "dense reference backend, measured in the same process in turns.\n\n");

        try (CpuEngine cpu = new CpuEngine(EngineOptions.defaults())) {
            for (String arch : List.of("vgg-small", "resnet-small")) {
                Model dense = Architectures.create(arch, 1);
                Model decomposed = SyntheticCompression.decompose(dense, 5, 1);
                List<Variant> variants = new ArrayList<>();
                variants.add(variant("dense", SameDiffEngine.BACKEND, dense, reference.load(dense)));
                variants.add(variant("dense", CpuEngine.BACKEND, dense, cpu.load(dense)));
                variants.add(variant("d5", CpuEngine.BACKEND, decomposed, cpu.load(decomposed)));
                for (double fraction : new double[] {0.9, 0.97}) {
                    Model pruned = SyntheticCompression.prune(decomposed, fraction, 1);
                    variants.add(variant("d5-pruned" + Math.round(fraction * 100), CpuEngine.BACKEND, pruned,
                            cpu.load(pruned)));
                }
                networks.add(network(arch, variants, batches, scale, peak, md));
            }
        }
        root.put("networks", networks);
        root.put("load_average_end", loadAverage());
        Files.createDirectories(json.toAbsolutePath().getParent());
        Files.writeString(json, Json.write(root) + "\n");
        Files.writeString(markdown, md.toString());
        System.out.print(md);
    }

    private static Variant variant(String name, String backend, Model model, LoadOutcome outcome) {
        if (!(outcome instanceof LoadOutcome.Loaded loaded)) {
            throw new IllegalStateException(name + " on " + backend + ": " + ((LoadOutcome.Unsupported) outcome)
                    .reason());
        }
        return new Variant(name, backend, model, loaded.model(), ModelCounter.count(model).macs());
    }

    private static Map<String, Object> network(String arch, List<Variant> variants, List<Integer> batches,
            double scale, FmaPeak.Peak peak, StringBuilder md) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("network", arch);
        md.append("## ").append(arch).append("\n\n| variant | backend | MMACs/image | batch | median ms | p95 ms | "
                + "images/s | GFLOP/s | % of peak | latency vs dense | memory MB | memory vs dense |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<Object> rows = new ArrayList<>();
        for (int batch : batches) {
            int runs = (int) Math.max(5, Math.round(scale * (batch == 1 ? 300 : batch <= 32 ? 60 : 20)));
            int warmup = Math.max(3, runs / 5);
            List<LatencyStats> stats = LatencyProbe.interleaved(variants.stream().map(Variant::loaded).toList(), batch,
                    warmup, runs);
            LatencyStats base = stats.get(0);
            long baseMemory = variants.get(0).loaded().weightBytes() + variants.get(0).loaded().workspaceBytes(batch);
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get(i);
                LatencyStats s = stats.get(i);
                long memory = v.loaded().weightBytes() + v.loaded().workspaceBytes(batch);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("variant", v.name());
                row.put("backend", v.backend());
                row.put("batch", batch);
                row.put("runs", runs);
                row.put("macs_per_image", v.macs());
                row.put("median_ms", round(s.medianMs()));
                row.put("p95_ms", round(s.p95Ms()));
                row.put("images_per_second", round(s.imagesPerSecond()));
                row.put("gflops", round(s.gflops(v.macs())));
                row.put("fraction_of_peak", round(s.gflops(v.macs()) / peak.gflops()));
                row.put("latency_vs_dense_reference", round(s.medianMs() / base.medianMs()));
                row.put("weight_bytes", v.loaded().weightBytes());
                row.put("workspace_bytes", v.loaded().workspaceBytes(batch));
                row.put("memory_vs_dense_reference", round((double) memory / baseMemory));
                rows.add(row);
                md.append(String.format(Locale.ROOT,
                        "| %s | %s | %.2f | %d | %.3f | %.3f | %.0f | %.2f | %.1f%% | %.2f× | %.2f | %.2f× |%n",
                        v.name(), v.backend(), v.macs() / 1e6, batch, s.medianMs(), s.p95Ms(), s.imagesPerSecond(),
                        s.gflops(v.macs()), 100 * s.gflops(v.macs()) / peak.gflops(), s.medianMs() / base.medianMs(),
                        memory / 1e6, (double) memory / baseMemory));
            }
        }
        out.put("results", rows);
        md.append("\n");
        out.put("paths", paths(variants, peak, md));
        return out;
    }

    /**
     * GFLOP/s of each step of the CPU engine as {@link CpuModel#profile} times it, at batch 1 and 32 on the
     * engine's threads, against the machine's peak.
     */
    private static List<Object> paths(List<Variant> variants, FmaPeak.Peak peak, StringBuilder md) {
        List<Object> paths = new ArrayList<>();
        md.append("Per-step profile of the CPU engine (`CpuModel.profile`: each step's median time in a run of the "
                + "batch on the engine's threads; at batch 32, the calling thread's share):\n\n"
                + "| variant | layer | kind | batch | kernel | MMACs | µs | GFLOP/s | % of peak |\n"
                + "|---|---|---|---:|---|---:|---:|---:|---:|\n");
        for (Variant v : variants) {
            if (!(v.loaded() instanceof CpuModel m)) {
                continue;
            }
            for (int batch : new int[] {1, 32}) {
                for (LayerProfile p : m.profile(batch, batch == 1 ? 100 : 10)) {
                    if (p.macs() == 0) {
                        continue;
                    }
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("variant", v.name());
                    row.put("layer", p.layer());
                    row.put("kind", p.kind());
                    row.put("batch", batch);
                    row.put("kernel", p.kernel());
                    row.put("macs", p.macs());
                    row.put("micros", round(p.micros()));
                    row.put("gflops", round(p.gflops()));
                    row.put("fraction_of_peak", round(p.gflops() / peak.gflops()));
                    row.put("bytes", p.bytes());
                    paths.add(row);
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %.3f | %.1f | %.2f | %.1f%% |%n",
                            v.name(), p.layer(), p.kind(), batch, p.kernel(), p.macs() / 1e6, p.micros(), p.gflops(),
                            100 * p.gflops() / peak.gflops()));
                }
            }
        }
        md.append("\n");
        return paths;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux: say so
        }
        return System.getProperty("os.arch");
    }

    /** Just enough JSON for the result: maps, lists, strings, numbers, booleans. */
    static final class Json {
        private Json() {
        }

        static String write(Object value) {
            StringBuilder b = new StringBuilder();
            write(value, b, "");
            return b.toString();
        }

        private static void write(Object value, StringBuilder b, String indent) {
            if (value instanceof Map<?, ?> map) {
                b.append("{");
                String inner = indent + "  ";
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    b.append(first ? "\n" : ",\n").append(inner);
                    string(e.getKey().toString(), b);
                    b.append(": ");
                    write(e.getValue(), b, inner);
                    first = false;
                }
                b.append(first ? "}" : "\n" + indent + "}");
            } else if (value instanceof List<?> list) {
                b.append("[");
                String inner = indent + "  ";
                for (int i = 0; i < list.size(); i++) {
                    b.append(i == 0 ? "\n" : ",\n").append(inner);
                    write(list.get(i), b, inner);
                }
                b.append(list.isEmpty() ? "]" : "\n" + indent + "]");
            } else if (value instanceof String s) {
                string(s, b);
            } else {
                b.append(value);
            }
        }

        private static void string(String s, StringBuilder b) {
            b.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    default -> b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
                }
            }
            b.append('"');
        }
    }
}
