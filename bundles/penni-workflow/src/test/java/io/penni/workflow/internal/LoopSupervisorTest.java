package io.penni.workflow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A consumer loop that fails comes back; while it is down the workflow is not ready, and says why. */
@Timeout(30)
class LoopSupervisorTest {

    @Test
    void aLoopThatThrowsIsRunAgainWithABackoffAndEachRestartIsCounted() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        List<String> restarts = new CopyOnWriteArrayList<>();
        Runnable loop = () -> {
            if (runs.incrementAndGet() < 3) {
                throw new IllegalStateException("poison " + runs.get());
            }
            third.countDown();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        LoopSupervisor supervisor = new LoopSupervisor("request intake", loop, stopped::countDown, restarts::add, 20, 50);
        Thread thread = new Thread(supervisor);
        thread.start();

        assertTrue(third.await(10, TimeUnit.SECONDS), "the loop came back after two failures");
        assertEquals(List.of("request intake", "request intake"), restarts);
        assertEquals(2, supervisor.restarts());
        assertEquals(Optional.empty(), supervisor.notReady(), "running again: ready");
        supervisor.stop();
        thread.join(5000);
        assertEquals(3, runs.get());
    }

    @Test
    void whileALoopWaitsForItsRestartItIsNotReadyAndSaysWhy() throws Exception {
        String reason = reasonAfterOneFailure("stage worker", new IllegalStateException("the broker said no"));
        assertTrue(reason.startsWith("the stage worker failed (java.lang.IllegalStateException: the broker said no); "
                + "restart 1 in 60000 ms"), reason);
    }

    @Test
    void aLoopThatEndsOnItsOwnStaysDownAndNotReady() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        LoopSupervisor supervisor = new LoopSupervisor("stage worker", runs::incrementAndGet, () -> { }, name -> { },
                10, 10);
        Thread thread = new Thread(supervisor);
        thread.start();
        thread.join(5000);
        assertEquals(1, runs.get(), "not restarted");
        assertTrue(supervisor.notReady().orElseThrow().contains("ended and is not restarted"));
    }

    @Test
    void aClassThatCannotBeLinkedIsReportedAsNeedingARestartOfTheServer() throws Exception {
        String reason = reasonAfterOneFailure("request intake",
                new NoClassDefFoundError("org/apache/kafka/clients/consumer/Consumer"));
        assertTrue(reason.startsWith("the request intake failed (java.lang.NoClassDefFoundError: org/apache/kafka/"
                + "clients/consumer/Consumer) (a class could not be linked: restarting the loop will not help; restart"
                + " the server and report this); restart 1 in 60000 ms"), reason);
    }

    /** Runs a loop that throws {@code error} at once and returns why the supervisor says it is not ready. */
    private static String reasonAfterOneFailure(String name, Throwable error) throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        Runnable loop = () -> {
            failed.countDown();
            if (error instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) error;
        };
        LoopSupervisor supervisor = new LoopSupervisor(name, loop, () -> { }, n -> { }, 60_000, 60_000);
        Thread thread = new Thread(supervisor);
        thread.start();
        try {
            assertTrue(failed.await(5, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (supervisor.notReady().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            return supervisor.notReady().orElseThrow();
        } finally {
            supervisor.stop();
            thread.interrupt();
            thread.join(5000);
        }
    }
}
