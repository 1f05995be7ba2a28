package io.penni.evaluator.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.penni.api.stage.EvaluationSummary;

/** The evaluate stage's summary as the Markdown section of the job's report. */
final class InferenceMarkdown {

    private InferenceMarkdown() {
    }

    @SuppressWarnings("unchecked")
    static String of(String network, String dataset, EvaluationSummary summary) {
        StringBuilder md = new StringBuilder();
        md.append("## Inference\n\n");
        md.append(String.format(Locale.ROOT, "Compressed %s against its dense original on `%s`, measured in one run; "
                + "test top-1 on %s test images of %s.%n%n", network, summary.referenceBackend(),
                summary.testImages(), dataset));
        md.append("| model | backend | top-1 |\n|---|---|---:|\n");
        summary.accuracy().forEach((backend, top1) -> md.append(String.format(Locale.ROOT,
                "| compressed | %s | %.2f%% |%n", backend, 100 * top1)));
        md.append(String.format(Locale.ROOT, "| dense | %s | %.2f%% |%n%n", summary.referenceBackend(),
                100 * summary.denseAccuracy()));
        md.append("| model | backend | batch | median ms | p95 ms | images/s | GFLOP/s | speed-up | memory MB | "
                + "memory vs dense |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        summary.latency().forEach((backend, latency) -> rows(md, "compressed", backend, latency,
                summary.memory().get(backend)));
        rows(md, "dense", summary.referenceBackend(), summary.denseLatency(), summary.denseMemory());
        for (Map.Entry<String, Map<String, Object>> e : summary.details().entrySet()) {
            plan(md, e.getKey(), (List<Object>) e.getValue().get("plan"));
        }
        return md.append('\n').toString();
    }

    /**
     * A backend's kernel per layer, for one image and per image of a batch, with what each measured; the time
     * columns only where the backend timed its kernels (the CPU engine does when it tunes them, not when it
     * chooses them by rule, its default).
     */
    @SuppressWarnings("unchecked")
    private static void plan(StringBuilder md, String backend, List<Object> plan) {
        if (plan == null || plan.isEmpty()) {
            return;
        }
        boolean timed = plan.stream().map(o -> (Map<String, Object>) o)
                .anyMatch(step -> step.get("micros") != null || step.get("batch_micros_per_image") != null);
        if (!timed) {
            md.append(String.format(Locale.ROOT, "%nHow `%s` runs it (the kernel each step was given at load, by "
                    + "rule; `tune_millis` in `penni.inference.cpu.cfg` times the candidates and adds each "
                    + "step's µs here):%n%n", backend));
            md.append("| layer | computes | batch 1: kernel | batches: kernel |\n|---|---|---|---|\n");
            for (Object o : plan) {
                Map<String, Object> step = (Map<String, Object>) o;
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", step.get("layer"), step.get("kind"),
                        kernel(step), step.get("batch_kernel")));
            }
            return;
        }
        md.append(String.format(Locale.ROOT, "%nHow `%s` runs it (the kernel each step was given at load; "
                + "one thread, µs per image):%n%n", backend));
        md.append("| layer | computes | batch 1: kernel | µs | GFLOP/s | batches: kernel | µs | GFLOP/s |\n"
                + "|---|---|---|---:|---:|---|---:|---:|\n");
        for (Object o : plan) {
            Map<String, Object> step = (Map<String, Object>) o;
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", step.get("layer"),
                    step.get("kind"), kernel(step), figure(step, "micros"), figure(step, "gflops"),
                    step.get("batch_kernel"), figure(step, "batch_micros_per_image"), figure(step, "batch_gflops")));
        }
    }

    private static String kernel(Map<String, Object> step) {
        return step.get("kernel") + (Boolean.TRUE.equals(step.get("split_at_batch_1")) ? ", split" : "");
    }

    private static String figure(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? "–" : String.format(Locale.ROOT, "%.1f", ((Number) v).doubleValue());
    }

    private static void rows(StringBuilder md, String model, String backend,
            Map<String, EvaluationSummary.Latency> latency, Map<String, EvaluationSummary.Memory> memory) {
        latency.forEach((key, l) -> {
            EvaluationSummary.Memory m = memory.get(key);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.3f | %.0f | %.2f | %.2f× | %.2f | %.2f× |%n",
                    model, backend, key.substring(EvaluationSummary.BATCH_PREFIX.length()), l.medianMs(), l.p95Ms(),
                    l.imagesPerSecond(), l.gflops(), l.speedupVsDense(), m.totalBytes() / 1e6, m.ratioVsDense()));
        });
    }
}
