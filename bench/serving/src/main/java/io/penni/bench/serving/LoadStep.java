package io.penni.bench.serving;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One open-loop step: requests sent at a fixed rate whatever the answers do (a slow server does not slow the
 * sender, so no coordinated omission), each latency measured from the moment the request was due to be sent to the
 * moment its whole answer arrived. The requests go through {@link OpenLoopClient}, which costs little CPU.
 */
final class LoadStep {

    /**
     * What one step measured.
     *
     * @param offered the rate asked for, requests a second
     * @param sent requests sent in the measured window
     * @param served answers 200 that arrived within the measured window, whenever their request was sent: what the
     *        server delivered in that time
     * @param ok answered 200
     * @param rejected answered 503 (full queue)
     * @param failed any other answer, a timeout or a connection error
     * @param seconds the measured window's length
     * @param p50 median latency of the answered requests, ms
     * @param p99 99th percentile, ms
     * @param max the slowest, ms
     * @param firstError the first failure's description, empty when none
     */
    record Result(double offered, long sent, long served, long ok, long rejected, long failed, double seconds, double p50,
            double p99, double max, String firstError) {

        /** @return answers delivered a second during the measured window */
        double throughput() {
            return served / seconds;
        }

        /** @return whether the step held its rate: nearly all answered, none refused or failed */
        boolean held(double p99LimitMs) {
            return ok >= 0.99 * sent && rejected == 0 && failed == 0 && p99 <= p99LimitMs;
        }
    }

    private LoadStep() {
    }

    /**
     * Runs one step: a warm-up at the rate, not counted, then the measured window.
     *
     * @param endpoint the model's infer URL
     * @param body the request body (binary tensor extension)
     * @param headerLength its JSON part's length
     * @param rate requests a second
     * @param warmup seconds sent before measuring
     * @param seconds seconds measured
     * @return what was measured
     * @throws InterruptedException when interrupted
     * @throws IOException when the client cannot start
     */
    static Result run(URI endpoint, byte[] body, int headerLength, double rate, double warmup, double seconds)
            throws InterruptedException, IOException {
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        int capacity = (int) Math.ceil(rate * seconds) + 16;
        long[] latencies = new long[capacity];
        AtomicLong okCount = new AtomicLong();
        AtomicLong served = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong unanswered = new AtomicLong();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        // tag: the slot of a measured request, or -1 for a warm-up one; called on the client's reader thread
        OpenLoopClient.Answers answers = new OpenLoopClient.Answers() {
            @Override
            public void answered(long tag, long due, int status, String error) {
                long now = System.nanoTime();
                if (status == 200 && now >= measureFrom && now <= end) {
                    served.incrementAndGet();
                }
                if (tag < 0) {
                    return;
                }
                if (status == 200) {
                    latencies[(int) tag] = now - due;
                    okCount.incrementAndGet();
                } else if (status == 503) {
                    rejected.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    errors.add("HTTP " + status + ": " + error);
                }
                unanswered.decrementAndGet();
            }

            @Override
            public void failed(long tag, String error) {
                if (tag >= 0) {
                    failed.incrementAndGet();
                    errors.add(error);
                    unanswered.decrementAndGet();
                }
            }
        };
        long sent = 0;
        try (OpenLoopClient client = new OpenLoopClient(endpoint, List.of("Content-Type: application/octet-stream",
                "Inference-Header-Content-Length: " + headerLength), body, Duration.ofSeconds(10), answers)) {
            for (long due = start; due < end; due += interval) {
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                boolean measured = due >= measureFrom;
                if (measured) {
                    unanswered.incrementAndGet();
                }
                client.send(measured ? sent++ : -1, due);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (unanswered.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
        }
        long[] answered = Arrays.stream(latencies, 0, (int) sent).filter(l -> l > 0).sorted().toArray();
        long lost = unanswered.get(); // neither answered nor failed within 15 s of the step's end
        return new Result(rate, sent, served.get(), okCount.get(), rejected.get(), failed.get() + lost, seconds,
                percentile(answered, 0.50), percentile(answered, 0.99),
                answered.length == 0 ? Double.NaN : answered[answered.length - 1] / 1e6,
                errors.isEmpty() ? (lost > 0 ? lost + " requests unanswered" : "") : errors.peek());
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
