package io.penni.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits a loop over independent items (channels, images) across a few threads: the caller takes the first share,
 * pool threads the others. Used between native ops, which have their own threads, so the two never run at once.
 */
final class Workers implements AutoCloseable {

    /** A loop body over items {@code [from, to)}. */
    @FunctionalInterface
    interface Range {
        /**
         * @param from first item
         * @param to one past the last item
         */
        void run(int from, int to);
    }

    /** Below this many items per thread a loop runs on the caller alone. */
    private static final int MIN_ITEMS = 2;

    private final int threads;
    private final ExecutorService pool;

    /** @param threads threads in all, the caller included (at least 1) */
    Workers(int threads) {
        this.threads = Math.max(1, threads);
        this.pool = this.threads == 1 ? null : Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread t = new Thread(r, "penni-trainer-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The thread count a trainer uses: {@code OMP_NUM_THREADS} when set (what the native ops use too), else the
     * available processors.
     *
     * @return threads, at least 1
     */
    static int defaultThreads() {
        String omp = System.getenv("OMP_NUM_THREADS");
        if (omp != null) {
            try {
                return Math.max(1, Integer.parseInt(omp.trim()));
            } catch (NumberFormatException e) {
                // not a number: fall through to the processors
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Runs {@code body} over {@code [0, count)} in contiguous shares and returns when all are done.
     *
     * @param count items
     * @param body the loop body
     */
    void forEach(int count, Range body) {
        int shares = Math.min(threads, count / MIN_ITEMS);
        if (shares <= 1) {
            body.run(0, count);
            return;
        }
        List<Future<?>> others = new ArrayList<>(shares - 1);
        for (int s = 1; s < shares; s++) {
            int from = (int) ((long) count * s / shares);
            int to = (int) ((long) count * (s + 1) / shares);
            others.add(pool.submit(() -> body.run(from, to)));
        }
        body.run(0, count / shares);
        for (Future<?> f : others) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a training step ran", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
