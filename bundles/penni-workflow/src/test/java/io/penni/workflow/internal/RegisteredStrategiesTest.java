package io.penni.workflow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

class RegisteredStrategiesTest {

    @Test
    void aNameStaysRegisteredWhileAnyOfItsServicesIs() {
        RegisteredStrategies strategies = new RegisteredStrategies(0);
        strategies.added("std-threshold");
        strategies.added("std-threshold");
        strategies.removed("std-threshold");
        assertEquals(Set.of("std-threshold"), strategies.names());
        strategies.removed("std-threshold");
        assertEquals(Set.of(), strategies.names());
    }

    @Test
    void withNoSwapUnderWayNothingIsWaitedFor() throws InterruptedException {
        RegisteredStrategies strategies = new RegisteredStrategies(60_000);
        strategies.added("a");
        assertFalse(strategies.awaitSwaps());
    }

    @Test
    void aSwapEndsAsSoonAsTheNameIsRegisteredAgain() throws InterruptedException {
        RegisteredStrategies strategies = new RegisteredStrategies(60_000);
        strategies.added("a");
        strategies.removed("a");
        Thread update = new Thread(() -> {
            sleep(300);
            strategies.added("a");
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
        strategies.added("a");
        strategies.removed("a");
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
