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

    private JobFollower() {
    }

    /**
     * @param feed the job's events
     * @param jobId the job
     * @param out where to print
     * @param mode a terminal or not
     * @param timeout how long to follow at most, if limited
     * @return the exit status
     * @throws CliException when the timeout passes first
     */
    public static int follow(JobEventFeed feed, String jobId, PrintStream out, FollowPrinter.Mode mode,
            Optional<Duration> timeout) {
        FollowView view = new FollowView(jobId);
        FollowPrinter printer = new FollowPrinter(out, mode);
        long deadline = timeout.map(t -> System.nanoTime() + t.toNanos()).orElse(Long.MAX_VALUE);
        boolean seen = false;
        boolean announced = false;
        while (true) {
            for (JobEvent event : feed.poll(Duration.ofMillis(250))) {
                seen = true;
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
            if (System.nanoTime() > deadline) {
                printer.finish();
                throw new CliException("follow: job " + jobId + " did not end within "
                        + Figures.compact(timeout.orElseThrow()) + (seen ? "" : " (no event of it was seen)")
                        + "; it goes on: bin/penni status " + jobId, CliException.FAILED);
            }
        }
    }
}
