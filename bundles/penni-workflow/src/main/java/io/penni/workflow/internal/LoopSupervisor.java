package io.penni.workflow.internal;

import java.util.Optional;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one of the workflow's consumer loops (the request intake, the stage worker) running: a loop that throws is
 * run again after a back-off that doubles up to a limit, each restart is counted, and while a loop is down the
 * supervisor says why ({@link #notReady()}), which makes the server's readiness false. A loop that returns on its
 * own, without being stopped, must not come back (another container took over its transactional id): it stays down.
 */
final class LoopSupervisor implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(LoopSupervisor.class);

    private final String name;
    private final Runnable loop;
    private final Runnable stopLoop;
    private final Consumer<String> restarted;
    private final long firstBackoffMillis;
    private final long maxBackoffMillis;
    private volatile boolean active = true;
    private volatile Optional<String> down = Optional.empty();
    private volatile int restarts;

    /**
     * @param name the loop's name, for messages and the metric's tag
     * @param loop the loop: runs until stopped, throws when it fails
     * @param stopLoop asks the loop to stop
     * @param restarted told the loop's name at each restart (the metric)
     * @param firstBackoffMillis wait before the first restart
     * @param maxBackoffMillis the longest wait between restarts
     */
    LoopSupervisor(String name, Runnable loop, Runnable stopLoop, Consumer<String> restarted, long firstBackoffMillis,
            long maxBackoffMillis) {
        this.name = name;
        this.loop = loop;
        this.stopLoop = stopLoop;
        this.restarted = restarted;
        this.firstBackoffMillis = Math.max(1, firstBackoffMillis);
        this.maxBackoffMillis = Math.max(this.firstBackoffMillis, maxBackoffMillis);
    }

    @Override
    public void run() {
        long backoff = firstBackoffMillis;
        while (active) {
            long started = System.nanoTime();
            Throwable error = null;
            try {
                loop.run();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) { // NOPMD - whatever ends a loop is reported, and the loop comes back
                error = e;
            }
            if (!active) {
                return;
            }
            if (error == null) {
                down = Optional.of("the " + name + " ended and is not restarted (see the log)");
                LOG.error("the {} ended on its own; it is not restarted", name);
                return;
            }
            if (System.nanoTime() - started > 60_000_000_000L) {
                backoff = firstBackoffMillis; // it had run a while: a new failure, not the same one again
            }
            // a class that could not be linked stays unlinked in this class loader (JVMS 5.4.3): running the loop
            // again meets the same error, so the message says what will help
            String hint = error instanceof LinkageError ? " (a class could not be linked: restarting the loop will"
                    + " not help; restart the server and report this)" : "";
            down = Optional.of("the " + name + " failed (" + error + ")" + hint + "; restart " + (restarts + 1)
                    + " in " + backoff + " ms");
            LOG.error("the {} failed; it runs again in {} ms", name, backoff, error);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = Math.min(backoff * 2, maxBackoffMillis);
            restarts++;
            restarted.accept(name);
            down = Optional.empty();
        }
    }

    /** @return why the loop is not running now; empty while it runs */
    Optional<String> notReady() {
        return down;
    }

    /** @return how many times the loop was started again */
    int restarts() {
        return restarts;
    }

    /** Stops the loop for good. */
    void stop() {
        active = false;
        stopLoop.run();
    }
}
