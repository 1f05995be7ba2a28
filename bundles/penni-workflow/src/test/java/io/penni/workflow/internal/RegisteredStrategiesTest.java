package io.penni.workflow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.penni.api.prune.MaskOutcome;
import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.PruningStrategy;
import io.penni.api.prune.TensorMask;

class RegisteredStrategiesTest {

    /** A real strategy: it takes only the parameter {@code t}, a number. */
    private record Threshold(String id) implements PruningStrategy {
        @Override
        public Optional<String> checkParameters(Map<String, String> parameters) {
            return parameters.keySet().stream().filter(k -> !k.equals("t")).findFirst()
                    .map(k -> "strategy threshold: unknown parameter '" + k + "'");
        }

        @Override
        public Map<String, String> parameters() {
            return Map.of("t", "0.5");
        }

        @Override
        public MaskOutcome computeMask(List<PrunableTensor> scores, Map<String, String> parameters) {
            List<TensorMask> masks = scores.stream().map(t -> new TensorMask(t.layer(), t.previousMask())).toList();
            return new MaskOutcome.Masks(masks);
        }
    }

    private static final PruningStrategy FIRST = new Threshold("first");
    private static final PruningStrategy SECOND = new Threshold("second");

    @Test
    void theNamedStrategyJudgesARequestsParameters() {
        RegisteredStrategies strategies = new RegisteredStrategies(0);
        strategies.added("threshold", FIRST);
        assertEquals(Optional.of("strategy threshold: unknown parameter 'amount'"),
                strategies.checkParameters("threshold", Map.of("amount", "0.5")));
        assertEquals(Optional.empty(), strategies.checkParameters("threshold", Map.of("t", "0.1")));
        assertEquals(Optional.empty(), strategies.checkParameters("absent", Map.of("amount", "0.5")),
                "a strategy not registered here is judged at pruning");
    }

    @Test
    void aNameStaysRegisteredWhileAnyOfItsServicesIs() {
        RegisteredStrategies strategies = new RegisteredStrategies(0);
        strategies.added("std-threshold", FIRST);
        strategies.added("std-threshold", SECOND);
        strategies.removed("std-threshold", FIRST);
        assertEquals(Set.of("std-threshold"), strategies.names());
        strategies.removed("std-threshold", SECOND);
        assertEquals(Set.of(), strategies.names());
    }

    @Test
    void withNoSwapUnderWayNothingIsWaitedFor() throws InterruptedException {
        RegisteredStrategies strategies = new RegisteredStrategies(60_000);
        strategies.added("a", FIRST);
        assertFalse(strategies.awaitSwaps());
    }

    @Test
    void aSwapEndsAsSoonAsTheNameIsRegisteredAgain() throws InterruptedException {
        RegisteredStrategies strategies = new RegisteredStrategies(60_000);
        strategies.added("a", FIRST);
        strategies.removed("a", FIRST);
        Thread update = new Thread(() -> {
            sleep(300);
            strategies.added("a", FIRST);
        });
        long start = System.nanoTime();
        update.start();
        assertTrue(strategies.awaitSwaps());
        update.join();
        assertTrue(System.nanoTime() - start < 30_000_000_000L, "returned when the name came back, not after 60 s");
        assertEquals(Set.of("a"), strategies.names());
    }

    @Test
    void aNameThatStaysAwayIsWaitedForOnlyTheGracePeriod() throws InterruptedException {
        RegisteredStrategies strategies = new RegisteredStrategies(200);
        strategies.added("a", FIRST);
        strategies.removed("a", FIRST);
        long start = System.nanoTime();
        assertTrue(strategies.awaitSwaps());
        assertTrue(System.nanoTime() - start >= 150_000_000L, "waited the grace period");
        assertFalse(strategies.awaitSwaps(), "a swap that timed out is over");
        assertEquals(Set.of(), strategies.names());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
