package io.penni.cli.internal;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;

import io.penni.api.event.JobEvent;

/**
 * Follows one job to its end: reads its events, shows them, and returns 0 when it completed, 1 when it failed or
 * was rejected. Shared by {@code follow} and {@code submit --follow}.
 */
public final class JobFollower {

    /** Silence after which the follower asks the broker whether it is still there. */
    static final Duration QUIET = Duration.ofSeconds(15);
    /**
     * How long the broker may fail to answer before the follow ends. Long, because an embedded broker shares its
     * JVM and cores with training and evaluation and has been measured stalling for over 10 s under load.
     */
    static final Duration LOST = Duration.ofSeconds(60);

    private JobFollower() {
    }

    /**
     * @param session the connection, checked when no events arrive for a while
     * @param feed the job's events
     * @param jobId the job
     * @param out where to print
     * @param mode a terminal or not
     * @param timeout how long to follow at most, if limited
     * @return the exit status
     * @throws CliException when the timeout passes first or Kafka stops answering
     */
    public static int follow(KafkaSession session, JobEventFeed feed, String jobId, PrintStream out,
            FollowPrinter.Mode mode, Optional<Duration> timeout) {
        return follow(session, feed, jobId, out, mode, timeout, QUIET, LOST);
    }

    /** As above, asking the broker after {@code quiet} without events, ending when it is silent for {@code lost}. */
    static int follow(KafkaSession session, JobEventFeed feed, String jobId, PrintStream out, FollowPrinter.Mode mode,
            Optional<Duration> timeout, Duration quiet, Duration lost) {
        FollowView view = new FollowView(jobId);
        FollowPrinter printer = new FollowPrinter(out, mode);
        long deadline = timeout.map(t -> System.nanoTime() + t.toNanos()).orElse(Long.MAX_VALUE);
        boolean seen = false;
        boolean announced = false;
        long lastHeard = System.nanoTime();
        long silentSince = Long.MAX_VALUE; // the broker answers
        while (true) {
            for (JobEvent event : feed.poll(Duration.ofMillis(250))) {
                seen = true;
                lastHeard = System.nanoTime();
                view.render(event).forEach(printer::print);
                if (view.exitStatus().isPresent()) {
                    printer.finish();
                    return view.exitStatus().get();
                }
            }
            if (!seen && !announced && feed.caughtUp()) {
                printer.print(new FollowView.Line("no events of job " + jobId
                        + " yet; waiting (Ctrl-C stops following, not the job)"));
                announced = true;
            }
            if (System.nanoTime() - lastHeard > quiet.toNanos()) {
                if (session.answers()) {
                    silentSince = Long.MAX_VALUE;
                } else {
                    silentSince = Math.min(silentSince, lastHeard);
                    if (System.nanoTime() - silentSince > lost.toNanos()) {
                        printer.finish();
                        throw new CliException("follow: Kafka at " + session.target().bootstrap() + " (from "
                                + session.target().source() + ") has not answered for "
                                + Figures.compact(lost) + "; if the server stopped, its log says why "
                                + "(var/log/penni.log)", CliException.FAILED);
                    }
                }
                lastHeard = System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                printer.finish();
                throw new CliException("follow: job " + jobId + " did not end within "
                        + Figures.compact(timeout.orElseThrow()) + (seen ? "" : " (no event of it was seen)")
                        + "; it goes on: bin/penni status " + jobId, CliException.FAILED);
            }
        }
    }
}
