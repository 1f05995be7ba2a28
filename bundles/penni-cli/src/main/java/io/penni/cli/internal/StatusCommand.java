package io.penni.cli.internal;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

import io.penni.workflow.Topics;

/**
 * {@code penni status [JOB] [--bootstrap HOST:PORT]}: the job table ({@code penni.jobs}, read to its end) as one
 * line per job, or one job's whole state: status, stage, completed stages and artifacts.
 */
public final class StatusCommand implements Command {

    @Override
    public List<String> path() {
        return List.of("status");
    }

    @Override
    public String arguments() {
        return "[JOB] [--bootstrap HOST:PORT]";
    }

    @Override
    public String description() {
        return "every job (id, status, stage, updated, message), or one job's state, stages and artifacts";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse("status", arguments(), args, Set.of(), Set.of("--bootstrap"));
        List<String> jobs = a.atMost(1, "one job id");
        KafkaTarget target = KafkaTarget.forThisProcess(a.option("--bootstrap"));
        try (KafkaSession session = KafkaSession.open(target, List.of(Topics.JOBS))) {
            JobTable table = JobTable.read(session);
            out.print(jobs.isEmpty() ? StatusView.table(table.byUpdate())
                    : StatusView.detail(table.require(jobs.get(0), "status")));
            return 0;
        }
    }
}
