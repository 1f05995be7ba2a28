package io.penni.serving.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher with its real thread: a model that holds its first batch until the test lets it go, so what queues
 * meanwhile is known exactly. Each image is 2 values; its output row is {@code [sum, images in its batch]}.
 */
class DynamicBatcherTest {

    private final CountDownLatch firstBatchStarted = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch drained = new CountDownLatch(1);
    private final List<Integer> batches = new CopyOnWriteArrayList<>();
    private DynamicBatcher batcher;

    private float[] run(float[] input, int images) {
        if (batches.isEmpty()) {
            firstBatchStarted.countDown();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        batches.add(images);
        float[] out = new float[images * 2];
        for (int i = 0; i < images; i++) {
            out[2 * i] = input[2 * i] + input[2 * i + 1];
            out[2 * i + 1] = images;
        }
        return out;
    }

    private DynamicBatcher start(int maxBatch, int capacity, Duration timeout) {
        batcher = new DynamicBatcher("test", 2, 2, this::run, drained::countDown, (images, nanos) -> { },
                new BatchSettings(maxBatch, Duration.ofMillis(2), capacity, timeout));
        return batcher;
    }

    @AfterEach
    void closeBatcher() {
        release.countDown();
        if (batcher != null) {
            batcher.close();
        }
    }

    private static CompletableFuture<float[]> queued(DynamicBatcher.Submission submission) {
        return assertInstanceOf(DynamicBatcher.Submission.Queued.class, submission).result();
    }

    private static float[] image(float a, float b) {
        return new float[] {a, b};
    }

    /** Holds the worker in its first batch, of one image, so that the next submissions all wait in the queue. */
    private CompletableFuture<float[]> occupyWorker() throws InterruptedException {
        CompletableFuture<float[]> first = queued(batcher.submit(image(0, 0), 1));
        assertTrue(firstBatchStarted.await(10, TimeUnit.SECONDS));
        return first;
    }

    @Test
    void requestsThatWaitTogetherRunAsOneBatchAndEachGetsItsOwnRows() throws Exception {
        start(32, 16, Duration.ofSeconds(10));
        occupyWorker();
        List<CompletableFuture<float[]>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(queued(batcher.submit(image(i, 10), 1)));
        }
        release.countDown();
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(new float[] {i + 10, 5}, results.get(i).get(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of(1, 5), batches);
    }

    @Test
    void aBatchNeverHoldsMoreThanTheMaxBatchImages() throws Exception {
        start(4, 16, Duration.ofSeconds(10));
        occupyWorker();
        List<CompletableFuture<float[]>> results = new ArrayList<>();
        results.add(queued(batcher.submit(new float[] {1, 1, 2, 2, 3, 3}, 3)));
        results.add(queued(batcher.submit(image(4, 4), 1)));
        results.add(queued(batcher.submit(new float[] {5, 5, 6, 6}, 2)));
        release.countDown();
        assertArrayEquals(new float[] {2, 4, 4, 4, 6, 4}, results.get(0).get(10, TimeUnit.SECONDS));
        assertArrayEquals(new float[] {8, 4}, results.get(1).get(10, TimeUnit.SECONDS));
        assertArrayEquals(new float[] {10, 2, 12, 2}, results.get(2).get(10, TimeUnit.SECONDS));
        assertEquals(List.of(1, 4, 2), batches);
    }

    @Test
    void aFullQueueRefusesAtOnceAndTakesRequestsAgainOnceItDrains() throws Exception {
        start(32, 2, Duration.ofSeconds(10));
        occupyWorker();
        CompletableFuture<float[]> a = queued(batcher.submit(image(1, 0), 1));
        CompletableFuture<float[]> b = queued(batcher.submit(image(2, 0), 1));
        assertInstanceOf(DynamicBatcher.Submission.Full.class, batcher.submit(image(3, 0), 1));
        assertEquals(2, batcher.queueDepth());
        release.countDown();
        a.get(10, TimeUnit.SECONDS);
        b.get(10, TimeUnit.SECONDS);
        assertArrayEquals(new float[] {4, 1}, queued(batcher.submit(image(4, 0), 1)).get(10, TimeUnit.SECONDS));
    }

    @Test
    void aRequestPastItsTimeoutFailsLeavesTheQueueAndIsNeverComputed() throws Exception {
        start(32, 16, Duration.ofMillis(100));
        CompletableFuture<float[]> first = occupyWorker();
        CompletableFuture<float[]> late = queued(batcher.submit(image(7, 7), 1));
        ExecutionException timeout = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> late.get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, timeout.getCause());
        release.countDown();
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
        assertArrayEquals(new float[] {3, 1}, queued(batcher.submit(image(1, 2), 1)).get(10, TimeUnit.SECONDS));
        // the first batch (1 image), then the request after: the timed-out one never ran
        assertEquals(List.of(1, 1), batches);
        assertEquals(0, batcher.queueDepth());
    }

    @Test
    void closingRefusesNewRequestsRunsTheQueuedOnesThenClosesTheModel() throws Exception {
        start(32, 16, Duration.ofSeconds(10));
        CompletableFuture<float[]> first = occupyWorker();
        CompletableFuture<float[]> queuedBefore = queued(batcher.submit(image(2, 3), 1));
        batcher.close();
        assertInstanceOf(DynamicBatcher.Submission.Closed.class, batcher.submit(image(1, 1), 1));
        assertEquals(1, drained.getCount(), "closed before its queue ran");
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertArrayEquals(new float[] {5, 1}, queuedBefore.get(10, TimeUnit.SECONDS));
        assertTrue(batcher.awaitDrained(10_000));
        assertEquals(0, drained.getCount());
    }

    @Test
    void aBatchThatThrowsFailsItsRequestsAndTheNextBatchRuns() throws Exception {
        batcher = new DynamicBatcher("failing", 2, 2, (input, images) -> {
            if (input[0] < 0) {
                throw new IllegalStateException("negative");
            }
            return new float[images * 2];
        }, () -> { }, (images, nanos) -> { }, new BatchSettings(1, Duration.ZERO, 4, Duration.ofSeconds(10)));
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> queued(batcher.submit(image(-1, 0), 1)).get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, failed.getCause());
        assertArrayEquals(new float[2], queued(batcher.submit(image(1, 0), 1)).get(10, TimeUnit.SECONDS));
    }

    /** A model that takes {@code millis} per image, recording each batch's size and the time it started. */
    private DynamicBatcher timed(int maxBatch, Duration maxDelay, long millis, List<Long> startedAt) {
        batcher = new DynamicBatcher("timed", 2, 2, (input, images) -> {
            startedAt.add(System.nanoTime());
            batches.add(images);
            try {
                Thread.sleep(millis * images);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new float[images * 2];
        }, () -> { }, (images, nanos) -> { }, new BatchSettings(maxBatch, maxDelay, 64, Duration.ofSeconds(10)));
        return batcher;
    }

    @Test
    void aLoneRequestOnAnIdleModelRunsAtOnceNotAfterTheMaxDelay() throws Exception {
        List<Long> started = new CopyOnWriteArrayList<>();
        timed(32, Duration.ofSeconds(2), 0, started);
        for (int i = 0; i < 3; i++) {
            long submitted = System.nanoTime();
            queued(batcher.submit(image(i, 0), 1)).get(10, TimeUnit.SECONDS);
            long waited = started.get(i) - submitted;
            assertTrue(waited < TimeUnit.MILLISECONDS.toNanos(500), "request " + i + " waited " + waited / 1_000_000
                    + " ms for a batch with nothing else queued; the max delay is 2 s");
            Thread.sleep(50);
        }
        assertEquals(List.of(1, 1, 1), batches);
    }

    @Test
    void requestsComingFasterThanImagesComputeWaitForEachOtherButNeverLongerThanTheMaxDelay() throws Exception {
        // an image computes in 80 ms; requests come 50 ms apart, faster than the model can take them one by one, so
        // a batch with room waits the ~50 ms for the next request instead of running short
        List<Long> started = new CopyOnWriteArrayList<>();
        Duration maxDelay = Duration.ofMillis(300);
        timed(2, maxDelay, 80, started);
        List<CompletableFuture<float[]>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            results.add(queued(batcher.submit(image(i, 0), 1)));
            Thread.sleep(50);
        }
        for (CompletableFuture<float[]> r : results) {
            r.get(10, TimeUnit.SECONDS);
        }
        // the first runs alone (no compute time known yet), then pairs; the tenth waits for a partner that never comes
        assertEquals(List.of(1, 2, 2, 2, 2, 1), batches);
        long taken = started.get(4) + TimeUnit.MILLISECONDS.toNanos(160); // when the batch before it ended
        long waited = started.get(5) - taken;
        assertTrue(waited > TimeUnit.MILLISECONDS.toNanos(200) && waited < maxDelay.toNanos()
                + TimeUnit.MILLISECONDS.toNanos(150), "the last request waited " + waited / 1_000_000
                + " ms for a partner once taken; the max delay is 300 ms");
    }

    @Test
    void aZeroMaxDelayNeverWaitsYetBatchesWhatQueuedMeanwhile() throws Exception {
        batcher = new DynamicBatcher("zero", 2, 2, this::run, () -> { }, (images, nanos) -> { },
                new BatchSettings(32, Duration.ZERO, 16, Duration.ofSeconds(10)));
        occupyWorker();
        List<CompletableFuture<float[]>> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            results.add(queued(batcher.submit(image(i, 1), 1)));
        }
        release.countDown();
        for (CompletableFuture<float[]> r : results) {
            r.get(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of(1, 3), batches);
    }
}
