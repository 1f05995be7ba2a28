package io.penni.api.stage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the evaluate stage reports: the compressed model's accuracy, latency and memory on each backend against the
 * dense original on the reference backend. Tables by backend and by batch keep the order they were measured in.
 *
 * @param referenceBackend the backend that ran the dense original
 * @param testImages test images the accuracy was measured on
 * @param macsPerImage multiply-accumulates per image of the compressed and the dense model
 * @param accuracy the compressed model's top-1 accuracy (0..1) by backend
 * @param denseAccuracy the dense original's top-1 accuracy, 0..1
 * @param latency the compressed model's latency by backend, then by batch key ({@code batch_<n>})
 * @param denseLatency the dense original's latency by batch key
 * @param memory the compressed model's memory by backend, then by batch key
 * @param denseMemory the dense original's memory by batch key
 * @param details how each backend ran the compressed model, as the backend describes it (its own JSON-compatible
 *            shape, e.g. the CPU engine's kernel per layer under {@code plan}); backends with nothing to say are absent
 */
public record EvaluationSummary(String referenceBackend, long testImages, Macs macsPerImage,
        Map<String, Double> accuracy, double denseAccuracy, Map<String, Map<String, Latency>> latency,
        Map<String, Latency> denseLatency, Map<String, Map<String, Memory>> memory, Map<String, Memory> denseMemory,
        Map<String, Map<String, Object>> details) implements StageSummary {

    /** Checks the fields and copies the tables, keeping their order. */
    public EvaluationSummary {
        Objects.requireNonNull(referenceBackend, "referenceBackend");
        Objects.requireNonNull(macsPerImage, "macsPerImage");
        accuracy = ordered(accuracy);
        latency = ordered(latency);
        denseLatency = ordered(denseLatency);
        memory = ordered(memory);
        denseMemory = ordered(denseMemory);
        details = ordered(details);
    }

    /**
     * The prefix of the batch keys of {@link #latency()} and {@link #memory()}.
     */
    public static final String BATCH_PREFIX = "batch_";

    /**
     * @param batch a batch size
     * @return its key in the latency and memory tables
     */
    public static String batchKey(int batch) {
        return BATCH_PREFIX + batch;
    }

    @Override
    public Map<String, Object> headline() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("reference_backend", referenceBackend);
        h.put("test_images", testImages);
        h.put("dense_accuracy", denseAccuracy);
        return h;
    }

    private static <V> Map<String, V> ordered(Map<String, V> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /**
     * Multiply-accumulates per image.
     *
     * @param compressed of the compressed model
     * @param dense of the dense original
     */
    public record Macs(long compressed, long dense) {
    }

    /**
     * Latency at one batch size.
     *
     * @param medianMs median milliseconds per run
     * @param p95Ms 95th percentile milliseconds per run
     * @param imagesPerSecond throughput
     * @param gflops billions of multiply-accumulates per second
     * @param speedupVsDense the dense original's median over this median
     * @param runs timed runs
     */
    public record Latency(double medianMs, double p95Ms, double imagesPerSecond, double gflops, double speedupVsDense,
            int runs) {
    }

    /**
     * Memory at one batch size.
     *
     * @param weightBytes bytes of weights
     * @param workspaceBytes bytes of workspace for the batch
     * @param totalBytes their sum
     * @param ratioVsDense the total over the dense original's total
     */
    public record Memory(long weightBytes, long workspaceBytes, long totalBytes, double ratioVsDense) {
    }
}
