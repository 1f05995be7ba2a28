package io.penni.evaluator.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.penni.api.inference.LoadedModel;
import io.penni.api.job.EvaluationSpec;
import io.penni.datasets.Batch;
import io.penni.datasets.BatchIterator;
import io.penni.datasets.Batches;
import io.penni.datasets.ImageSet;
import io.penni.datasets.Normalization;
import io.penni.inference.cpu.LatencyProbe;
import io.penni.inference.cpu.LatencyStats;

/**
 * The measurements of the evaluate stage, on models already loaded: top-1 accuracy on the test images, then
 * latency at each batch size with the compressed model on every backend and the dense original on the dense
 * reference backend timed in turns (one run of each per round), then memory as each backend reports it
 * (weights + workspace for the batch), and how each backend ran the compressed model ({@code details}, e.g. the
 * CPU engine's kernel per layer). The result is the stage's summary, {@code inference.*} in the report.
 */
final class InferenceEvaluation {

    /** Images per run while measuring accuracy. */
    static final int ACCURACY_BATCH = 100;

    private InferenceEvaluation() {
    }

    /**
     * A model on one backend.
     *
     * @param backend the backend's name
     * @param model the loaded model
     * @param macs multiply-accumulates per image (decomposed layers counted the PENNI way)
     */
    record Subject(String backend, LoadedModel model, long macs) {
    }

    /** The evaluation was cancelled at a safe point. */
    static final class Cancelled extends Exception {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    /**
     * Measures everything.
     *
     * @param compressed the compressed model on each requested backend
     * @param dense the dense original on the dense reference backend
     * @param test the test images
     * @param normalization the training set's normalisation
     * @param spec batch sizes, warm-up and timed runs
     * @param cancelled whether to stop
     * @return the summary
     * @throws Cancelled when asked to stop
     */
    static Map<String, Object> run(List<Subject> compressed, Subject dense, ImageSet test, Normalization normalization,
            EvaluationSpec spec, BooleanSupplier cancelled) throws Cancelled {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("reference_backend", dense.backend());
        summary.put("test_images", test.count());
        summary.put("macs_per_image", Map.of("compressed", compressed.get(0).macs(), "dense", dense.macs()));

        Map<String, Object> accuracy = new LinkedHashMap<>();
        for (Subject s : compressed) {
            accuracy.put(s.backend(), accuracy(s.model(), test, normalization, cancelled));
        }
        summary.put("accuracy", accuracy);
        summary.put("dense_accuracy", accuracy(dense.model(), test, normalization, cancelled));

        List<Subject> all = new ArrayList<>(compressed);
        all.add(dense);
        Map<String, Object> latency = new LinkedHashMap<>();
        Map<String, Object> memory = new LinkedHashMap<>();
        for (Subject s : compressed) {
            latency.put(s.backend(), new LinkedHashMap<String, Object>());
            memory.put(s.backend(), new LinkedHashMap<String, Object>());
        }
        Map<String, Object> denseLatency = new LinkedHashMap<>();
        Map<String, Object> denseMemory = new LinkedHashMap<>();
        for (int batch : spec.batchSizes()) {
            if (cancelled.getAsBoolean()) {
                throw new Cancelled();
            }
            List<LatencyStats> stats = LatencyProbe.interleaved(all.stream().map(Subject::model).toList(), batch,
                    spec.warmupRuns(), spec.timedRuns());
            LatencyStats base = stats.get(stats.size() - 1);
            long baseBytes = bytes(dense, batch);
            String key = "batch_" + batch;
            denseLatency.put(key, latency(base, dense.macs(), base));
            denseMemory.put(key, memory(dense, batch, baseBytes));
            for (int i = 0; i < compressed.size(); i++) {
                Subject s = compressed.get(i);
                put(latency, s.backend(), key, latency(stats.get(i), s.macs(), base));
                put(memory, s.backend(), key, memory(s, batch, baseBytes));
            }
        }
        summary.put("latency", latency);
        summary.put("dense_latency", denseLatency);
        summary.put("memory", memory);
        summary.put("dense_memory", denseMemory);
        Map<String, Object> details = new LinkedHashMap<>();
        for (Subject s : compressed) {
            Map<String, Object> d = s.model().details();
            if (!d.isEmpty()) {
                details.put(s.backend(), d);
            }
        }
        summary.put("details", details);
        return summary;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> byBackend, String backend, String key, Object value) {
        ((Map<String, Object>) byBackend.get(backend)).put(key, value);
    }

    private static long bytes(Subject s, int batch) {
        return s.model().weightBytes() + s.model().workspaceBytes(batch);
    }

    private static Map<String, Object> latency(LatencyStats s, long macs, LatencyStats dense) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median_ms", round(s.medianMs()));
        m.put("p95_ms", round(s.p95Ms()));
        m.put("images_per_second", round(s.imagesPerSecond()));
        m.put("gflops", round(s.gflops(macs)));
        m.put("speedup_vs_dense", round(dense.medianMs() / s.medianMs()));
        m.put("runs", s.runs());
        return m;
    }

    private static Map<String, Object> memory(Subject s, int batch, long denseBytes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("weight_bytes", s.model().weightBytes());
        m.put("workspace_bytes", s.model().workspaceBytes(batch));
        m.put("total_bytes", bytes(s, batch));
        m.put("ratio_vs_dense", round((double) bytes(s, batch) / denseBytes));
        return m;
    }

    /**
     * Top-1 accuracy: the share of test images whose largest logit is their label's.
     *
     * @return the accuracy, 0..1
     */
    static double accuracy(LoadedModel model, ImageSet test, Normalization normalization, BooleanSupplier cancelled)
            throws Cancelled {
        int correct = 0;
        BatchIterator batches = Batches.evaluation(test, normalization, ACCURACY_BATCH);
        while (batches.hasNext()) {
            if (cancelled.getAsBoolean()) {
                throw new Cancelled();
            }
            Batch batch = batches.next();
            float[] logits = model.run(batch.images(), batch.size());
            int classes = logits.length / batch.size();
            for (int i = 0; i < batch.size(); i++) {
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (logits[i * classes + c] > logits[i * classes + best]) {
                        best = c;
                    }
                }
                if (best == batch.labels()[i]) {
                    correct++;
                }
            }
        }
        return test.count() == 0 ? 0 : (double) correct / test.count();
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
