package io.penni.workflow.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The pruning strategies registered in this container, by name, as request intake checks them. A bundle update
 * unregisters a strategy and registers it again moments later; a request naming it in between would be rejected
 * for nothing, so a name that went away less than the grace period ago counts as being swapped, and intake waits
 * for swaps to settle before it rejects a request.
 */
final class RegisteredStrategies {

    private final Map<String, Integer> services = new HashMap<>();
    private final Map<String, Long> removedAt = new HashMap<>();
    private long graceNanos;

    /**
     * @param graceMillis how long a name that went away counts as being swapped
     */
    RegisteredStrategies(long graceMillis) {
        grace(graceMillis);
    }

    /** @param graceMillis how long a name that went away counts as being swapped from now on */
    synchronized void grace(long graceMillis) {
        graceNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, graceMillis));
    }

    /** @param name a strategy service's name, registered now */
    synchronized void added(String name) {
        services.merge(name, 1, Integer::sum);
        removedAt.remove(name);
        notifyAll();
    }

    /** @param name a strategy service's name, unregistered now */
    synchronized void removed(String name) {
        if (services.merge(name, -1, Integer::sum) <= 0) {
            services.remove(name);
            removedAt.put(name, System.nanoTime());
        }
    }

    /** @return the names registered now */
    synchronized Set<String> names() {
        return Set.copyOf(services.keySet());
    }

    /**
     * Waits until no strategy is being swapped: each name that went away is back, or its grace period is over.
     *
     * @return whether there was a swap to wait for
     * @throws InterruptedException when interrupted while waiting
     */
    synchronized boolean awaitSwaps() throws InterruptedException {
        boolean waited = false;
        while (true) {
            long now = System.nanoTime();
            removedAt.values().removeIf(at -> now - at >= graceNanos);
            if (removedAt.isEmpty()) {
                return waited;
            }
            long oldest = removedAt.values().stream().mapToLong(Long::longValue).min().orElse(now);
            TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, graceNanos - (now - oldest)));
            waited = true;
        }
    }
}
