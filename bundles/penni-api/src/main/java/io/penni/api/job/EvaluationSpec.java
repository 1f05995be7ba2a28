package io.penni.api.job;

import java.util.List;

/**
 * How the compressed model is evaluated.
 *
 * @param backends inference backends to measure, e.g. {@code cpu}
 * @param batchSizes batch sizes to time
 * @param warmupRuns untimed runs before timing
 * @param timedRuns timed runs per batch size
 */
public record EvaluationSpec(List<String> backends, List<Integer> batchSizes, int warmupRuns, int timedRuns) {
    /** Checks the fields. */
    public EvaluationSpec {
        backends = List.copyOf(backends);
        batchSizes = List.copyOf(batchSizes);
        if (warmupRuns < 0 || timedRuns < 1) {
            throw new IllegalArgumentException("warmupRuns must be >= 0 and timedRuns >= 1");
        }
    }
}
