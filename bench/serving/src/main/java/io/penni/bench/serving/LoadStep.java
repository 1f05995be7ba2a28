package io.penni.bench.serving;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One open-loop step: requests sent at a fixed rate whatever the answers do (a slow server does not slow the
 * sender, so no coordinated omission), each latency measured from the moment the request was due to be sent to the
 * moment its whole answer arrived.
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
     * @param client the HTTP client
     * @param endpoint the model's infer URL
     * @param body the request body (binary tensor extension)
     * @param headerLength its JSON part's length
     * @param rate requests a second
     * @param warmup seconds sent before measuring
     * @param seconds seconds measured
     * @return what was measured
     * @throws InterruptedException when interrupted
     */
    static Result run(HttpClient client, URI endpoint, byte[] body, int headerLength, double rate, double warmup,
            double seconds) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", String.valueOf(headerLength))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        int capacity = (int) Math.ceil(rate * seconds) + 16;
        long[] latencies = new long[capacity];
        AtomicLong okCount = new AtomicLong();
        AtomicLong served = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<CompletableFuture<?>> pending = new ConcurrentLinkedQueue<>();
        long sent = 0;
        for (long due = start; due < end; due += interval) {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            boolean measured = due >= measureFrom;
            int slot = measured ? (int) sent++ : -1;
            long scheduled = due;
            CompletableFuture<?> f = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                    .whenComplete((response, error) -> {
                        long now = System.nanoTime();
                        if (error == null && response.statusCode() == 200 && now >= measureFrom && now <= end) {
                            served.incrementAndGet();
                        }
                        if (slot < 0) {
                            return;
                        }
                        if (error != null) {
                            failed.incrementAndGet();
                            errors.add(error.toString());
                        } else if (response.statusCode() == 200) {
                            latencies[slot] = System.nanoTime() - scheduled;
                            okCount.incrementAndGet();
                        } else if (response.statusCode() == 503) {
                            rejected.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            errors.add("HTTP " + response.statusCode() + ": " + new String(response.body()));
                        }
                    });
            if (measured) {
                pending.add(f);
            }
        }
        for (CompletableFuture<?> f : pending) {
            try {
                f.get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                // counted by its completion handler
            }
        }
        long[] answered = Arrays.stream(latencies, 0, (int) sent).filter(l -> l > 0).sorted().toArray();
        return new Result(rate, sent, served.get(), okCount.get(), rejected.get(), failed.get(), seconds,
                percentile(answered, 0.50), percentile(answered, 0.99),
                answered.length == 0 ? Double.NaN : answered[answered.length - 1] / 1e6,
                errors.isEmpty() ? "" : errors.peek());
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
