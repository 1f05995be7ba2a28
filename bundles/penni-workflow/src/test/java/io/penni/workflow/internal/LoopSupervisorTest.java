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
        CountDownLatch failed = new CountDownLatch(1);
        Runnable loop = () -> {
            failed.countDown();
            throw new IllegalStateException("the broker said no");
        };
        LoopSupervisor supervisor = new LoopSupervisor("stage worker", loop, () -> { }, name -> { }, 60_000, 60_000);
        Thread thread = new Thread(supervisor);
        thread.start();
        assertTrue(failed.await(5, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (supervisor.notReady().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        String reason = supervisor.notReady().orElseThrow();
        assertTrue(reason.startsWith("the stage worker failed (java.lang.IllegalStateException: the broker said no); "
                + "restart 1 in 60000 ms"), reason);
        supervisor.stop();
        thread.interrupt();
        thread.join(5000);
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
}
