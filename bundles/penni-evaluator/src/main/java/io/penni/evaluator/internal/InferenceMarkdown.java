package io.penni.evaluator.internal;

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
        return md.append('\n').toString();
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
