package io.penni.inference.cpu;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.DoubleAdder;

import io.penni.inference.cpu.internal.PeakLoops;
import io.penni.inference.cpu.internal.VectorSupport;

/**
 * Measures the machine's float32 peak: every thread runs a loop of independent fused multiply-adds on
 * registers only (twelve accumulators, enough to hide the FMA latency), at the widest vector the Vector API
 * offers, or on scalars where the JVM lacks it; the peak is the sum over threads of FLOPs (2 per FMA lane)
 * per second. It is the ceiling the achieved GFLOP/s of each layer path is compared against.
 */
public final class FmaPeak {

    private FmaPeak() {
    }

    /**
     * The result.
     *
     * @param gflops billions of float32 operations per second, all threads together
     * @param threads threads that ran the loop at once
     * @param method how it was measured, in words
     */
    public record Peak(double gflops, int threads, String method) {
    }

    /**
     * Measures.
     *
     * @param threads threads to run at once (the cores)
     * @param duration how long each thread runs the loop (after a warm-up of the same length)
     * @return the peak
     */
    public static Peak measure(int threads, Duration duration) {
        boolean vector = VectorSupport.available();
        DoubleAdder flops = new DoubleAdder();
        CyclicBarrier start = new CyclicBarrier(threads);
        Thread[] workers = new Thread[threads];
        double[] seconds = new double[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                try {
                    PeakLoops.run(vector, duration.toNanos()); // warm-up: compiled before it counts
                    start.await();
                    long t0 = System.nanoTime();
                    double f = PeakLoops.run(vector, duration.toNanos());
                    seconds[id] = (System.nanoTime() - t0) / 1e9;
                    flops.add(f / seconds[id]);
                } catch (Exception e) {
                    Thread.currentThread().interrupt();
                }
            }, "penni-fma-peak-" + t);
            workers[t].start();
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String method = (vector ? "Vector API " + PeakLoops.vectorBits() + "-bit" : "scalar Math.fma")
                + " FMA loop, 12 independent accumulators, " + threads + " threads at once, "
                + duration.toMillis() + " ms each after an equal warm-up";
        return new Peak(flops.sum() / 1e9, threads, method);
    }
}
