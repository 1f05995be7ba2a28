package io.penni.inference.cpu.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.Model;
import io.penni.inference.cpu.CpuEngine;
import io.penni.inference.cpu.CpuModel;
import io.penni.inference.cpu.EngineOptions;
import io.penni.inference.cpu.LatencyProbe;
import io.penni.inference.cpu.LatencyStats;
import io.penni.inference.cpu.LayerPlan;
import io.penni.inference.cpu.LayerProfile;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.model.Architectures;

/**
 * One fresh process's measurement of the CPU engine alone (bench/inference/engine runs it once per model, variant
 * and round): load one model, time it at each batch size (median and p95 after warm-up), the RSS the loaded model
 * added after its runs (and the live heap it added, after a collection), and optionally a per-step profile in Markdown. Prints one JSON object per batch size on
 * its own line. No ND4J in the process: what it measures is the engine's.
 *
 * <p>Arguments: {@code ARCH VARIANT BATCHES THREADS [PROFILE.md]}; VARIANT is {@code dense} or {@code dDpP}
 * (e.g. {@code d5p97}: d = 5 bases, 97 % of coefficients pruned, the stand-in of {@link SyntheticCompression}) or
 * {@code file:MODEL.json}, a model file (a job's compressed model; ARCH then only names it).
 */
public final class EngineBenchmark {

    private EngineBenchmark() {
    }

    /**
     * Runs the measurement.
     *
     * @param args see the class comment
     * @throws IOException when the profile cannot be written
     */
    public static void main(String[] args) throws IOException {
        String arch = args[0];
        String variant = args[1];
        List<Integer> batches = List.of(args[2].split(",")).stream().map(Integer::parseInt).toList();
        int threads = Integer.parseInt(args[3]);
        Path profileFile = args.length > 4 ? Path.of(args[4]) : null;

        Model model = model(arch, variant);
        // -Dpenni.bench.coefficients=DENSE|SPARSE|BANDED (default MEASURED) and -Dpenni.bench.tuneMillis=N (default
        // 0: by rule) set the engine's choice of coefficient form, for comparisons; -Dpenni.bench.split=ALWAYS|NEVER
        // (default MEASURED) whether batch-1 runs spread a layer over the threads
        EngineOptions.Coefficients form = EngineOptions.Coefficients.valueOf(
                System.getProperty("penni.bench.coefficients", "MEASURED"));
        Duration tune = Duration.ofMillis(Long.getLong("penni.bench.tuneMillis", 0));
        try (CpuEngine engine = new CpuEngine(new EngineOptions(threads, EngineOptions.KernelSet.MEASURED,
                tune, EngineOptions.Split.valueOf(System.getProperty("penni.bench.split", "MEASURED")), form))) {
            System.gc();
            long rssBefore = rssKb();
            long heapBefore = heapUsed();
            long t0 = System.nanoTime();
            LoadOutcome outcome = engine.load(model);
            double loadMs = (System.nanoTime() - t0) / 1e6;
            if (!(outcome instanceof LoadOutcome.Loaded loaded)) {
                throw new IllegalStateException(((LoadOutcome.Unsupported) outcome).reason());
            }
            CpuModel m = (CpuModel) loaded.model();
            StringBuilder md = new StringBuilder();
            ObjectMapper json = new ObjectMapper();
            for (int batch : batches) {
                int runs = batch == 1 ? 400 : batch <= 32 ? 60 : 20;
                LatencyStats s = LatencyProbe.measure(m, batch, Math.max(5, runs / 5), runs);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("arch", arch);
                row.put("variant", variant);
                row.put("threads", threads);
                row.put("batch", batch);
                row.put("median_ms", s.medianMs());
                row.put("p95_ms", s.p95Ms());
                row.put("cpu_ms", callerCpuMs(m, batch, runs));
                row.put("load_ms", loadMs);
                row.put("macs_per_image", m.macs());
                // after the runs: what the process grew by, and (after a collection) what the model holds live
                row.put("rss_added_mb", (rssKb() - rssBefore) / 1024.0);
                row.put("rss_mb", rssKb() / 1024.0);
                row.put("rss_peak_mb", status("VmHWM:") / 1024.0);
                System.gc();
                row.put("heap_live_added_mb", (heapUsed() - heapBefore) / 1048576.0);
                row.put("weight_mb", m.weightBytes() / 1048576.0);
                row.put("workspace_mb", m.workspaceBytes(batch) / 1048576.0);
                row.put("kernels", kernels(m));
                System.out.println(json.writeValueAsString(row));
                if (profileFile != null) {
                    profile(md, arch, variant, m, batch);
                }
            }
            if (profileFile != null) {
                Files.writeString(profileFile, md.toString());
            }
        }
    }

    /**
     * The median CPU time of the calling thread per run: on a shared machine, where other processes take the
     * cores, the work a run costs (on one thread, all of it; on more, the caller's share and its waits) without
     * the time it waited for a core.
     */
    private static double callerCpuMs(CpuModel m, int batch, int runs) {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        float[] input = new float[Math.toIntExact(batch * m.inputShape().size())];
        java.util.Arrays.fill(input, 0.5f);
        long[] cpu = new long[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = bean.getCurrentThreadCpuTime();
            m.run(input, batch);
            cpu[r] = bean.getCurrentThreadCpuTime() - t0;
        }
        java.util.Arrays.sort(cpu);
        return cpu[(runs - 1) / 2] / 1e6;
    }

    static Model model(String arch, String variant) {
        if (variant.startsWith("file:")) {
            return io.penni.model.ModelFiles.load(Path.of(variant.substring("file:".length())));
        }
        Model dense = Architectures.create(arch, 1);
        if (variant.equals("dense")) {
            return dense;
        }
        int p = variant.indexOf('p');
        int bases = Integer.parseInt(variant.substring(1, p));
        double pruned = Integer.parseInt(variant.substring(p + 1)) / 100.0;
        Model decomposed = SyntheticCompression.decompose(dense, bases, 1);
        return pruned > 0 ? SyntheticCompression.prune(decomposed, pruned, 1) : decomposed;
    }

    /** Each step's chosen kernels, batch 1 and batches, so runs can be compared for the same choices. */
    private static String kernels(CpuModel m) {
        List<String> k = new ArrayList<>();
        for (LayerPlan p : m.plan()) {
            k.add(p.kernels() + (p.splitAtBatchOne() ? " split" : ""));
        }
        return String.join("; ", k);
    }

    private static void profile(StringBuilder md, String arch, String variant, CpuModel m, int batch) {
        int runs = batch == 1 ? 200 : batch <= 32 ? 30 : 10;
        List<LayerProfile> steps = m.profile(batch, runs);
        double total = steps.stream().mapToDouble(LayerProfile::micros).sum();
        md.append(String.format(Locale.ROOT, "### %s %s, batch %d (sum of step medians %.1f µs)%n%n", arch, variant,
                batch, total));
        md.append("| step | kind | kernel | µs | % | MMACs | GFLOP/s | MB moved | GB/s |\n"
                + "|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (LayerProfile s : steps) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %.0f | %.2f | %.1f | %.2f | %.1f |%n",
                    s.layer(), s.kind(), s.kernel(), s.micros(), 100 * s.micros() / total, s.macs() / 1e6,
                    s.gflops(), s.bytes() / 1e6, s.gigabytesPerSecond()));
        }
        md.append('\n');
    }

    private static long heapUsed() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static long rssKb() {
        return status("VmRSS:");
    }

    /** A kB figure of /proc/self/status, 0 where there is none. */
    private static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return 0;
    }
}
