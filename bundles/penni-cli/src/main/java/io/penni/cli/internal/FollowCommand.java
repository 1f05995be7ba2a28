package io.penni.cli.internal;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

import io.penni.workflow.Topics;

/**
 * {@code penni follow JOB [--timeout T] [--bootstrap HOST:PORT]}: shows a job's events from its first, with a live
 * progress line per stage, until it completes (exit 0, with the headline figures) or fails or is rejected (exit 1,
 * with the reasons).
 */
public final class FollowCommand implements Command {

    @Override
    public List<String> path() {
        return List.of("follow");
    }

    @Override
    public String arguments() {
        return "JOB [--timeout 30m] [--bootstrap HOST:PORT]";
    }

    @Override
    public String description() {
        return "show a job's progress until it ends; exit 0 when it completed, 1 when it failed or was rejected";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse("follow", arguments(), args, Set.of(), Set.of("--timeout", "--bootstrap"));
        String jobId = a.exactly(1, "one job id").get(0);
        KafkaTarget target = KafkaTarget.forThisProcess(a.option("--bootstrap"));
        try (KafkaSession session = KafkaSession.open(target, List.of(Topics.EVENTS));
                JobEventFeed feed = JobEventFeed.fromBeginning(session, jobId)) {
            return JobFollower.follow(session, feed, jobId, out, FollowPrinter.forThisProcess(),
                    a.duration("--timeout"));
        }
    }
}
