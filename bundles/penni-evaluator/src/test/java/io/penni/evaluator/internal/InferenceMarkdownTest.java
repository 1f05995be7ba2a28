package io.penni.evaluator.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.penni.api.stage.EvaluationSummary;

/** The report's table of how a backend runs the model: time columns only where the backend timed its kernels. */
class InferenceMarkdownTest {

    private static EvaluationSummary withPlan(List<Object> plan) {
        EvaluationSummary.Latency latency = new EvaluationSummary.Latency(1.5, 2.25, 666.7, 12.5, 3.1, 20);
        EvaluationSummary.Memory memory = new EvaluationSummary.Memory(1000L, 24L, 1024L, 0.25);
        return new EvaluationSummary("onnxruntime", 60, new EvaluationSummary.Macs(100L, 400L), Map.of("cpu", 0.9),
                0.92, Map.of("cpu", Map.of("batch_1", latency)), Map.of("batch_1", latency),
                Map.of("cpu", Map.of("batch_1", memory)), Map.of("batch_1", memory), Map.of("cpu", Map.of("plan", plan)));
    }

    @Test
    void kernelsChosenByRuleGetNoEmptyTimeColumns() {
        String md = InferenceMarkdown.of("vgg-small", "fashion-mnist", withPlan(List.of(Map.of("layer", "pool1", "kind",
                "decomposed3x3/d6+bn+relu+maxpool", "kernel", "fused-vector-512", "batch_kernel", "fused-vector-512",
                "split_at_batch_1", true))));
        assertTrue(md.contains("| layer | computes | batch 1: kernel | batches: kernel |\n"), md);
        assertTrue(md.contains("| pool1 | decomposed3x3/d6+bn+relu+maxpool | fused-vector-512, split | fused-vector-512 |"),
                md);
        assertTrue(md.contains("by rule; `tune_millis`"), md);
        assertFalse(md.contains("µs per image") || md.contains("–"), md);
    }

    @Test
    void timedKernelsShowTheirMicrosecondsAndGflops() {
        String md = InferenceMarkdown.of("vgg-small", "fashion-mnist", withPlan(List.of(Map.of("layer", "pool1", "kind",
                "conv3x3", "kernel", "dense-vector-512", "batch_kernel", "dense-vector-512", "micros", 12.5, "gflops",
                30.0, "batch_micros_per_image", 8.25, "batch_gflops", 45.5))));
        assertTrue(md.contains("| pool1 | conv3x3 | dense-vector-512 | 12.5 | 30.0 | dense-vector-512 | 8.3 | 45.5 |"), md);
        assertTrue(md.contains("one thread, µs per image"), md);
    }
}
