package io.penni.serving.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One model version's request queue and the one thread that runs it: requests wait in a bounded queue; the thread
 * takes the first and everything queued behind it, and runs them at once as one batch, handing each request its
 * rows. A model that is idle therefore answers a lone request without delay, and under load batches grow by
 * themselves: what arrives while one batch computes forms the next. The max queue delay bounds the only waiting
 * there is: while the batch has room, it waits for one more request only when requests have lately been arriving (a
 * moving mean of the gaps) closer together than the model computes one image (the last batch's time per image), that
 * is when the model could not keep up image by image anyway; and it never waits past the delay, counted from the
 * first request's being taken. Zero turns waiting off. (Comparing the gap with a whole batch's time instead fed on
 * itself: a longer wait made a bigger batch, whose longer compute made the next wait longer, up to the max delay
 * every time.) A full queue refuses at once; a
 * request past its timeout completes with a {@link TimeoutException} at once and is dropped when the worker reaches
 * it. {@link #close()} refuses new requests, lets the queued ones run, then closes the model: that is how a new
 * version replaces an old one without a failed request.
 */
final class DynamicBatcher implements AutoCloseable {

    /** Runs one batch: {@code images × imageSize} values in, {@code images × outputSize} out. */
    @FunctionalInterface
    interface Compute {
        /**
         * Runs a batch.
         *
         * @param input the images, one after another
         * @param images images in the batch
         * @return the outputs, one row per image
         */
        float[] run(float[] input, int images);
    }

    /** Told of each batch that ran. */
    @FunctionalInterface
    interface BatchListener {
        /**
         * A batch ran.
         *
         * @param images images in it
         * @param nanos compute time
         */
        void ran(int images, long nanos);
    }

    /** What became of a submitted request. */
    sealed interface Submission {
        /**
         * Queued: the future completes with the request's output rows, or with a {@link TimeoutException}, or
         * with what the computation threw.
         *
         * @param result the output rows
         */
        record Queued(CompletableFuture<float[]> result) implements Submission {
        }

        /** The queue is full: try again later. */
        record Full() implements Submission {
        }

        /** This batcher is closing: its model was replaced or removed. */
        record Closed() implements Submission {
        }
    }

    private record Pending(float[] input, int images, CompletableFuture<float[]> result) {
    }

    // a closing batcher notices within this wait; it is not interrupted, so a running batch is never disturbed
    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final int imageSize;
    private final int outputSize;
    private final Compute compute;
    private final Runnable onDrained;
    private final BatchListener listener;
    private final BatchSettings settings;
    private final BlockingQueue<Pending> queue;
    private final Thread worker;
    private boolean closing;
    private Pending carried;
    // arrivals, under this object's lock: when the last came and a moving mean of the gaps between them
    private long lastArrival;
    private long meanGapNanos = Long.MAX_VALUE;
    // the worker's own: how long the last batch took to compute, per image
    private long imageComputeNanos;

    /**
     * Creates the batcher and starts its thread.
     *
     * @param name names the thread
     * @param imageSize values per input image
     * @param outputSize values per output row
     * @param compute runs a batch; called from this batcher's thread only
     * @param onDrained called once on this batcher's thread when it closed and ran its last request (closes the
     *        model)
     * @param listener told of each batch
     * @param settings batch size, delay, capacity and timeout
     */
    DynamicBatcher(String name, int imageSize, int outputSize, Compute compute, Runnable onDrained,
            BatchListener listener, BatchSettings settings) {
        this.imageSize = imageSize;
        this.outputSize = outputSize;
        this.compute = Objects.requireNonNull(compute, "compute");
        this.onDrained = Objects.requireNonNull(onDrained, "onDrained");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.worker = new Thread(this::work, "penni-serving-" + name);
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Queues a request.
     *
     * @param input {@code images × imageSize} values; not copied, not to be changed afterwards
     * @param images images in the request
     * @return queued with its future, or why not
     */
    Submission submit(float[] input, int images) {
        if (input.length != images * imageSize) {
            throw new IllegalArgumentException(input.length + " values for " + images + " images of " + imageSize);
        }
        Pending pending = new Pending(input, images, new CompletableFuture<>());
        synchronized (this) {
            if (closing) {
                return new Submission.Closed();
            }
            if (!queue.offer(pending)) {
                return new Submission.Full();
            }
            arrived(System.nanoTime());
        }
        // a request that times out stays queued until the worker reaches it and drops it (nextWithin skips what is
        // done): removing it here would scan the queue under its lock once per timeout, which is what an overloaded
        // server can least afford
        pending.result().orTimeout(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
        return new Submission.Queued(pending.result());
    }

    /** Folds an arrival into the mean gap: 1/8 of each new gap, so a burst shows within a few requests. */
    private void arrived(long now) {
        if (lastArrival != 0) {
            long gap = now - lastArrival;
            meanGapNanos = meanGapNanos == Long.MAX_VALUE ? gap : meanGapNanos + (gap - meanGapNanos) / 8;
        }
        lastArrival = now;
    }

    /** @return the recent arrivals' mean gap, nanoseconds; {@link Long#MAX_VALUE} before the second arrival */
    synchronized long meanGapNanos() {
        return meanGapNanos;
    }

    /** @return requests waiting now */
    int queueDepth() {
        return queue.size();
    }

    /** Refuses new requests; those queued still run, then the model is closed. Returns at once. */
    @Override
    public void close() {
        synchronized (this) {
            closing = true;
        }
    }

    /**
     * Waits until the last queued request ran and the model was closed.
     *
     * @param millis how long to wait at most
     * @return whether it has
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitDrained(long millis) throws InterruptedException {
        worker.join(millis);
        return !worker.isAlive();
    }

    private void work() {
        try {
            while (true) {
                List<Pending> batch = collect();
                if (batch == null) {
                    return;
                }
                if (!batch.isEmpty()) {
                    run(batch);
                }
            }
        } finally {
            onDrained.run();
        }
    }

    /** The next batch; empty when nothing came; null when closed and drained. */
    private List<Pending> collect() {
        Pending first = carried != null ? carried : nextWithin(IDLE_POLL_NANOS);
        carried = null;
        if (first == null) {
            return isClosing() && queue.isEmpty() ? null : List.of();
        }
        List<Pending> batch = new ArrayList<>();
        batch.add(first);
        int images = first.images();
        long deadline = System.nanoTime() + settings.maxDelay().toNanos();
        while (images < settings.maxBatch()) {
            // what is queued now joins at once; beyond it, wait only while requests come faster than images compute
            Pending more = nextWithin(0);
            if (more == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || meanGapNanos() >= Math.min(left, imageComputeNanos)) {
                    break;
                }
                more = nextWithin(left);
                if (more == null) {
                    break;
                }
            }
            if (images + more.images() > settings.maxBatch()) {
                carried = more;
                break;
            }
            batch.add(more);
            images += more.images();
        }
        batch.removeIf(p -> p.result().isDone()); // timed out while the batch filled
        return batch;
    }

    /** The next live request within the wait, skipping those that timed out; null when none came. */
    private Pending nextWithin(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            Pending p;
            try {
                long left = deadline - System.nanoTime();
                p = isClosing() || left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                close(); // only a framework shutting down interrupts this thread: drain and end
                p = queue.poll();
            }
            if (p == null || !p.result().isDone()) {
                return p;
            }
        }
    }

    private synchronized boolean isClosing() {
        return closing;
    }

    private void run(List<Pending> batch) {
        int images = batch.stream().mapToInt(Pending::images).sum();
        float[] input = new float[images * imageSize];
        int at = 0;
        for (Pending p : batch) {
            System.arraycopy(p.input(), 0, input, at, p.input().length);
            at += p.input().length;
        }
        long start = System.nanoTime();
        float[] output;
        try {
            output = compute.run(input, images);
        } catch (RuntimeException | Error e) {
            batch.forEach(p -> p.result().completeExceptionally(e));
            return;
        }
        long nanos = System.nanoTime() - start;
        imageComputeNanos = nanos / images;
        listener.ran(images, nanos);
        int row = 0;
        for (Pending p : batch) {
            float[] rows = new float[p.images() * outputSize];
            System.arraycopy(output, row * outputSize, rows, 0, rows.length);
            row += p.images();
            p.result().complete(rows);
        }
    }

    /** @return how this queue batches and bounds its requests */
    BatchSettings settings() {
        return settings;
    }
}
