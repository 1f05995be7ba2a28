package io.penni.inference.cpu.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A fixed set of worker threads that run the tasks of one parallel loop together with the calling thread.
 * Workers spin briefly before parking, because a layer's work at batch 1 lasts tens of microseconds and a
 * park/unpark round trip costs about as much. A second caller arriving while the pool is busy runs its loop
 * alone rather than waiting, so models used from several threads never deadlock or queue behind each other.
 */
public final class WorkerPool implements AutoCloseable {

    /** Spin iterations before a waiting worker parks (roughly 50 µs). */
    private static final int SPINS = 20_000;

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock owner = new ReentrantLock();
    private volatile Loop current;
    private volatile boolean closed;

    /** One parallel loop; its own counters, so a worker that wakes late can never claim a later loop's task. */
    private record Loop(IntConsumer task, int count, AtomicInteger next, AtomicInteger pending,
            AtomicReference<Throwable> failure) {
        void claim() {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                try {
                    task.accept(i);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    pending.decrementAndGet();
                }
            }
        }
    }

    /**
     * Starts the workers.
     *
     * @param threads threads that run a loop, the caller included (1: no worker threads)
     */
    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::work, "penni-cpu-inference-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** @return threads a loop runs on, the caller included */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body(0) … body(count − 1)}, spread over the workers and the calling thread, and returns when
     * all have finished. A task's exception is rethrown here after every task has ended.
     *
     * @param count tasks
     * @param task the work of one task
     */
    public void run(int count, IntConsumer task) {
        if (count <= 1 || workers.length == 0 || closed || !owner.tryLock()) {
            for (int i = 0; i < count; i++) {
                task.accept(i);
            }
            return;
        }
        try {
            Loop loop = new Loop(task, count, new AtomicInteger(), new AtomicInteger(count), new AtomicReference<>());
            current = loop;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            loop.claim();
            int spins = 0;
            while (loop.pending().get() > 0) {
                if (++spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            Throwable t = loop.failure().get();
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
        } finally {
            owner.unlock();
        }
    }

    private void work() {
        Loop seen = current;
        while (!closed) {
            int spins = 0;
            while (current == seen && !closed) {
                if (++spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = current;
            if (seen != null) {
                seen.claim();
            }
        }
    }

    /** Stops the workers. */
    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
