package io.penni.evaluator.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The evaluate stage's summary as the Markdown section of the job's report. */
final class InferenceMarkdown {

    private InferenceMarkdown() {
    }

    @SuppressWarnings("unchecked")
    static String of(String network, String dataset, Map<String, Object> summary) {
        StringBuilder md = new StringBuilder();
        md.append("## Inference\n\n");
        md.append(String.format(Locale.ROOT, "Compressed %s against its dense original on `%s`, measured in one run; "
                + "test top-1 on %s test images of %s.%n%n", network, summary.get("reference_backend"),
                summary.get("test_images"), dataset));
        Map<String, Object> accuracy = (Map<String, Object>) summary.get("accuracy");
        md.append("| model | backend | top-1 |\n|---|---|---:|\n");
        for (Map.Entry<String, Object> e : accuracy.entrySet()) {
            md.append(String.format(Locale.ROOT, "| compressed | %s | %.2f%% |%n", e.getKey(),
                    100 * ((Number) e.getValue()).doubleValue()));
        }
        md.append(String.format(Locale.ROOT, "| dense | %s | %.2f%% |%n%n", summary.get("reference_backend"),
                100 * ((Number) summary.get("dense_accuracy")).doubleValue()));
        md.append("| model | backend | batch | median ms | p95 ms | images/s | GFLOP/s | speed-up | memory MB | "
                + "memory vs dense |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, Object> latency = (Map<String, Object>) summary.get("latency");
        Map<String, Object> memory = (Map<String, Object>) summary.get("memory");
        for (String backend : latency.keySet()) {
            rows(md, "compressed", backend, (Map<String, Object>) latency.get(backend),
                    (Map<String, Object>) memory.get(backend));
        }
        rows(md, "dense", (String) summary.get("reference_backend"),
                (Map<String, Object>) summary.get("dense_latency"), (Map<String, Object>) summary.get("dense_memory"));
        Map<String, Object> details = (Map<String, Object>) summary.getOrDefault("details", Map.of());
        for (Map.Entry<String, Object> e : details.entrySet()) {
            plan(md, e.getKey(), (List<Object>) ((Map<String, Object>) e.getValue()).get("plan"));
        }
        return md.append('\n').toString();
    }

    /** A backend's kernel per layer, for one image and per image of a batch, with what each measured. */
    @SuppressWarnings("unchecked")
    private static void plan(StringBuilder md, String backend, List<Object> plan) {
        if (plan == null || plan.isEmpty()) {
            return;
        }
        md.append(String.format(Locale.ROOT, "%nHow `%s` runs it (kernels chosen by timing each candidate at load; "
                + "one thread, µs per image):%n%n", backend));
        md.append("| layer | computes | batch 1: kernel | µs | GFLOP/s | batches: kernel | µs | GFLOP/s |\n"
                + "|---|---|---|---:|---:|---|---:|---:|\n");
        for (Object o : plan) {
            Map<String, Object> step = (Map<String, Object>) o;
            md.append(String.format(Locale.ROOT, "| %s | %s | %s%s | %s | %s | %s | %s | %s |%n", step.get("layer"),
                    step.get("kind"), step.get("kernel"), Boolean.TRUE.equals(step.get("split_at_batch_1"))
                            ? ", split" : "", figure(step, "micros"), figure(step, "gflops"), step.get("batch_kernel"),
                    figure(step, "batch_micros_per_image"), figure(step, "batch_gflops")));
        }
    }

    private static String figure(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? "–" : String.format(Locale.ROOT, "%.1f", ((Number) v).doubleValue());
    }

    @SuppressWarnings("unchecked")
    private static void rows(StringBuilder md, String model, String backend, Map<String, Object> latency,
            Map<String, Object> memory) {
        for (Map.Entry<String, Object> e : latency.entrySet()) {
            Map<String, Object> l = (Map<String, Object>) e.getValue();
            Map<String, Object> m = (Map<String, Object>) memory.get(e.getKey());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.3f | %.0f | %.2f | %.2f× | %.2f | %.2f× |%n",
                    model, backend, e.getKey().substring("batch_".length()), number(l, "median_ms"),
                    number(l, "p95_ms"), number(l, "images_per_second"), number(l, "gflops"),
                    number(l, "speedup_vs_dense"), number(m, "total_bytes") / 1e6, number(m, "ratio_vs_dense")));
        }
    }

    private static double number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }
}
