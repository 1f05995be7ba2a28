package io.penni.serving.internal;

import java.time.Duration;
import java.util.Objects;

import io.penni.model.ModelDeployment;

/**
 * How a model's requests are batched and bounded.
 *
 * @param maxBatch images a batch holds at most (a single request with more runs alone)
 * @param maxDelay how long a batch may wait at most, from its first request's being taken, for requests that are
 *        not queued yet (it waits only while they have lately been arriving closer together than that); zero: a
 *        batch is what is queued when it starts
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

    /**
     * The batching of a version deployed with its own settings.
     *
     * @param deployment the version's deployment file
     * @return these settings with the file's overrides
     */
    BatchSettings with(ModelDeployment deployment) {
        return new BatchSettings((int) deployment.limit(ModelDeployment.MAX_BATCH).orElse(maxBatch),
                deployment.limit(ModelDeployment.MAX_QUEUE_DELAY_MICROS).isPresent()
                        ? Duration.ofNanos(deployment.limit(ModelDeployment.MAX_QUEUE_DELAY_MICROS).getAsLong() * 1000)
                        : maxDelay,
                (int) deployment.limit(ModelDeployment.QUEUE_CAPACITY).orElse(queueCapacity),
                deployment.limit(ModelDeployment.REQUEST_TIMEOUT_MILLIS).isPresent()
                        ? Duration.ofMillis(deployment.limit(ModelDeployment.REQUEST_TIMEOUT_MILLIS).getAsLong())
                        : timeout);
    }
}
