package io.penni.inference.cpu;

import java.util.Objects;

/**
 * One step of a compiled model as a profile of a batch measured it ({@link CpuModel#profile}).
 *
 * @param layer the layer whose output the step makes (the last of the layers fused into it)
 * @param kind what it computes, e.g. {@code decomposed3x3/d5+bn+relu}
 * @param kernel the kernel it ran with at this batch size
 * @param batch images per run
 * @param micros the step's median time per run of the batch, in microseconds (where a batch runs as one run of
 *     images per thread, the calling thread's share, which is the step's part of the wall time)
 * @param macs multiply-accumulates of the whole batch, as the kernel computes them
 * @param bytes bytes the step must move at least: its parameters once and each image's inputs and output
 */
public record LayerProfile(String layer, String kind, String kernel, int batch, double micros, long macs,
        long bytes) {

    /** Checks the fields. */
    public LayerProfile {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(kernel, "kernel");
    }

    /** @return the FLOP/s the step reached, 2 per multiply-accumulate, in GFLOP/s (0 for a step without MACs) */
    public double gflops() {
        return micros <= 0 ? 0 : 2.0 * macs / (micros * 1e3);
    }

    /** @return the bandwidth its minimal traffic needs at its time, in GB/s */
    public double gigabytesPerSecond() {
        return micros <= 0 ? 0 : bytes / (micros * 1e3);
    }
}
