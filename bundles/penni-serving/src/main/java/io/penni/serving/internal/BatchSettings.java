package io.penni.serving.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * How a model's requests are batched and bounded.
 *
 * @param maxBatch images a batch holds at most (a single request with more runs alone)
 * @param maxDelay how long the first request of a batch waits for others to join it
 * @param queueCapacity requests waiting at most; one more is refused at once
 * @param timeout how long a request may wait for its result, queue and compute together
 */
record BatchSettings(int maxBatch, Duration maxDelay, int queueCapacity, Duration timeout) {

    /** Checks the fields. */
    BatchSettings {
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(timeout, "timeout");
        if (maxBatch < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("max batch and queue capacity must be positive, were " + maxBatch
                    + " and " + queueCapacity);
        }
        if (maxDelay.isNegative() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("max delay must be >= 0 and timeout > 0, were " + maxDelay + " and "
                    + timeout);
        }
    }
}
