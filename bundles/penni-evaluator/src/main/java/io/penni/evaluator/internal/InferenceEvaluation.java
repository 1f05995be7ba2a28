package io.penni.evaluator.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.penni.api.inference.LoadedModel;
import io.penni.api.job.EvaluationSpec;
import io.penni.api.stage.EvaluationSummary;
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
    static EvaluationSummary run(List<Subject> compressed, Subject dense, ImageSet test, Normalization normalization,
            EvaluationSpec spec, BooleanSupplier cancelled) throws Cancelled {
        Map<String, Double> accuracy = new LinkedHashMap<>();
        for (Subject s : compressed) {
            accuracy.put(s.backend(), accuracy(s.model(), test, normalization, cancelled));
        }
        double denseAccuracy = accuracy(dense.model(), test, normalization, cancelled);

        List<Subject> all = new ArrayList<>(compressed);
        all.add(dense);
        Map<String, Map<String, EvaluationSummary.Latency>> latency = new LinkedHashMap<>();
        Map<String, Map<String, EvaluationSummary.Memory>> memory = new LinkedHashMap<>();
        for (Subject s : compressed) {
            latency.put(s.backend(), new LinkedHashMap<>());
            memory.put(s.backend(), new LinkedHashMap<>());
        }
        Map<String, EvaluationSummary.Latency> denseLatency = new LinkedHashMap<>();
        Map<String, EvaluationSummary.Memory> denseMemory = new LinkedHashMap<>();
        for (int batch : spec.batchSizes()) {
            if (cancelled.getAsBoolean()) {
                throw new Cancelled();
            }
            // the warm-up runs at least a second when it runs at all: a count alone left the CPU engine's kernels
            // uncompiled, and the report showed it several times slower than it runs
            List<LatencyStats> stats = LatencyProbe.interleaved(all.stream().map(Subject::model).toList(), batch,
                    spec.warmupRuns(), spec.warmupRuns() > 0 ? LatencyProbe.JIT_WARMUP : Duration.ZERO,
                    spec.timedRuns());
            LatencyStats base = stats.get(stats.size() - 1);
            long baseBytes = bytes(dense, batch);
            String key = EvaluationSummary.batchKey(batch);
            denseLatency.put(key, latency(base, dense.macs(), base));
            denseMemory.put(key, memory(dense, batch, baseBytes));
            for (int i = 0; i < compressed.size(); i++) {
                Subject s = compressed.get(i);
                latency.get(s.backend()).put(key, latency(stats.get(i), s.macs(), base));
                memory.get(s.backend()).put(key, memory(s, batch, baseBytes));
            }
        }
        Map<String, Map<String, Object>> details = new LinkedHashMap<>();
        for (Subject s : compressed) {
            Map<String, Object> d = s.model().details();
            if (!d.isEmpty()) {
                details.put(s.backend(), d);
            }
        }
        return new EvaluationSummary(dense.backend(), test.count(),
                new EvaluationSummary.Macs(compressed.get(0).macs(), dense.macs()), accuracy, denseAccuracy, latency,
                denseLatency, memory, denseMemory, details);
    }

    private static long bytes(Subject s, int batch) {
        return s.model().weightBytes() + s.model().workspaceBytes(batch);
    }

    private static EvaluationSummary.Latency latency(LatencyStats s, long macs, LatencyStats dense) {
        return new EvaluationSummary.Latency(round(s.medianMs()), round(s.p95Ms()), round(s.imagesPerSecond()),
                round(s.gflops(macs)), round(dense.medianMs() / s.medianMs()), s.runs());
    }

    private static EvaluationSummary.Memory memory(Subject s, int batch, long denseBytes) {
        return new EvaluationSummary.Memory(s.model().weightBytes(), s.model().workspaceBytes(batch), bytes(s, batch),
                round((double) bytes(s, batch) / denseBytes));
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
