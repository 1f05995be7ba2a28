package io.penni.inference.cpu;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How the engine runs one step of a model, for reports.
 *
 * @param layer the layer whose output the step makes (the last of the layers fused into it)
 * @param kind what it computes, e.g. {@code decomposed3x3/d5+bn+relu}
 * @param kernel the kernel chosen for image-by-image runs, e.g. {@code sparse-vector-512} or {@code dense-plain}
 * @param batchKernel the kernel chosen for a thread's pass of a batch
 * @param splitAtBatchOne whether a single image's step is spread over the threads
 * @param macs multiply-accumulates per image as the kernel chosen for image-by-image runs computes them
 * @param batchMacs the same for the kernel chosen for batches
 * @param weightBytes bytes of its parameters in the chosen form
 * @param micros each measured candidate's best time per image, in microseconds; names starting {@code batch-} were
 *     timed as one thread's pass of a batch
 */
public record LayerPlan(String layer, String kind, String kernel, String batchKernel, boolean splitAtBatchOne,
        long macs, long batchMacs, long weightBytes, Map<String, Double> micros) {
    /** Copies the map. */
    public LayerPlan {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(batchKernel, "batchKernel");
        micros = Map.copyOf(micros);
    }

    /**
     * @return the chosen kernel's time for one image (batch 1), unsplit, in microseconds, if it was measured
     */
    public OptionalDouble chosenMicros() {
        Double t = micros.get(candidate(kernel));
        if (t == null) {
            t = micros.get("batch1-serial");
        }
        return t == null ? OptionalDouble.empty() : OptionalDouble.of(t);
    }

    /**
     * @return the kernel chosen for batches: its time per image of one thread's pass, in microseconds, if measured
     */
    public OptionalDouble chosenBatchMicros() {
        Double t = micros.get("batch-" + candidate(batchKernel));
        return t == null ? OptionalDouble.empty() : OptionalDouble.of(t);
    }

    /** The name a kernel's timing is recorded under: a dense layer's candidates are its kernel sets' names. */
    private String candidate(String chosen) {
        return chosen.startsWith("dense-") && !kind.startsWith("decomposed") ? chosen.substring("dense-".length())
                : chosen;
    }

    /** @return the kernel, and the batches' one where that differs: {@code "sparse-plain, in batches dense-plain"} */
    public String kernels() {
        return kernel.equals(batchKernel) ? kernel : kernel + ", in batches " + batchKernel;
    }
}
