package io.penni.itest;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or the patience runs out, which fails the test naming what was awaited. */
final class Await {

    private Await() {
    }

    /**
     * @param what what is awaited, for the failure message
     * @param patience how long to wait at most
     * @param condition the condition
     * @return how long it took
     * @throws InterruptedException when interrupted
     */
    static Duration until(String what, Duration patience, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + patience.toSeconds() + " s for " + what);
            }
            Thread.sleep(100);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
