package io.penni.inference.cpu;

/**
 * Wall-clock times of one model at one batch size, over many timed runs after a warm-up.
 *
 * @param batch images per run
 * @param runs timed runs
 * @param medianMs median run time, milliseconds
 * @param p95Ms 95th percentile run time (nearest rank), milliseconds
 * @param minMs fastest run, milliseconds
 */
public record LatencyStats(int batch, int runs, double medianMs, double p95Ms, double minMs) {

    /** @return images per second at the median time */
    public double imagesPerSecond() {
        return batch / (medianMs / 1e3);
    }

    /**
     * @param macsPerImage the model's multiply-accumulates per image
     * @return achieved GFLOP/s at the median time, counting 2 FLOPs per multiply-accumulate
     */
    public double gflops(long macsPerImage) {
        return 2.0 * macsPerImage * batch / (medianMs / 1e3) / 1e9;
    }
}
