package io.penni.workflow.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.penni.api.prune.PruningStrategy;

/**
 * The pruning strategies registered in this container, by name, as request intake checks them: whether a named
 * strategy is there, and whether it takes the request's parameters. A bundle update unregisters a strategy and
 * registers it again moments later; a request naming it in between would be rejected for nothing, so a name that
 * went away less than the grace period ago counts as being swapped, and intake waits for swaps to settle before
 * it rejects a request.
 */
final class RegisteredStrategies {

    private final Map<String, List<PruningStrategy>> services = new HashMap<>();
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

    /**
     * @param name a strategy service's name
     * @param strategy the service, registered now
     */
    synchronized void added(String name, PruningStrategy strategy) {
        services.computeIfAbsent(name, n -> new ArrayList<>()).add(strategy);
        removedAt.remove(name);
        notifyAll();
    }

    /**
     * @param name a strategy service's name
     * @param strategy the service, unregistered now
     */
    synchronized void removed(String name, PruningStrategy strategy) {
        List<PruningStrategy> left = services.getOrDefault(name, new ArrayList<>());
        left.remove(strategy);
        if (left.isEmpty() && services.remove(name) != null) {
            removedAt.put(name, System.nanoTime());
        }
    }

    /** @return the names registered now */
    synchronized Set<String> names() {
        return Set.copyOf(services.keySet());
    }

    /**
     * Asks a registered strategy whether it takes a request's parameters.
     *
     * @param name the strategy the request names
     * @param parameters the request's parameters for it
     * @return the strategy's one-line objection; empty when it takes them or no such strategy is registered here
     */
    Optional<String> checkParameters(String name, Map<String, String> parameters) {
        PruningStrategy strategy;
        synchronized (this) {
            List<PruningStrategy> named = services.get(name);
            strategy = named == null ? null : named.get(0);
        }
        try {
            return strategy == null ? Optional.empty() : strategy.checkParameters(parameters);
        } catch (RuntimeException | LinkageError e) {
            // a strategy that cannot answer is judged at pruning time, where its failure fails the job with a reason
            return Optional.empty();
        }
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
