package io.penni.cli.internal;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.job.JobState;
import io.penni.api.job.JobStatus;
import io.penni.pipeline.ReportAssembler;
import io.penni.workflow.Topics;

/**
 * {@code penni report JOB [--json] [--bootstrap HOST:PORT]}: prints a completed job's report, the paper's
 * appendix table per convolution with the headline figures, as Markdown ({@code report.md}) or JSON
 * ({@code report.json}). The report is found in the job table's artifacts, else in the job's {@code job.completed}
 * event, and is checked against its SHA-256 before it is printed.
 */
public final class ReportCommand implements Command {

    @Override
    public List<String> path() {
        return List.of("report");
    }

    @Override
    public String arguments() {
        return "JOB [--json] [--bootstrap HOST:PORT]";
    }

    @Override
    public String description() {
        return "print a completed job's report (Markdown; --json for report.json), checked against its sha256";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse("report", arguments(), args, Set.of("--json"), Set.of("--bootstrap"));
        String jobId = a.exactly(1, "one job id").get(0);
        boolean json = a.flag("--json");
        String name = json ? ReportAssembler.REPORT_JSON : ReportAssembler.REPORT_MARKDOWN;
        String file = json ? "report.json" : "report.md";
        KafkaTarget target = KafkaTarget.forThisProcess(a.option("--bootstrap"));
        try (KafkaSession session = KafkaSession.open(target, List.of(Topics.JOBS, Topics.EVENTS))) {
            Optional<JobState> state = JobTable.read(session).job(jobId);
            Optional<ArtifactRef> ref = state.map(s -> s.artifacts().get(name));
            if (ref.isEmpty()) {
                ref = completedEvent(session, jobId).flatMap(e -> new EventData(e.data())
                        .artifact(name));
            }
            if (ref.isEmpty()) {
                throw new CliException("report: " + noReport(jobId, state), CliException.FAILED);
            }
            byte[] bytes = ArtifactFiles.read(ref.get(), file + " of job " + jobId);
            String text = new String(bytes, StandardCharsets.UTF_8);
            out.print(text.endsWith("\n") ? text : text + "\n");
            return 0;
        }
    }

    private static String noReport(String jobId, Optional<JobState> state) {
        if (state.isEmpty()) {
            return "no job '" + jobId + "' in " + Topics.JOBS + " or " + Topics.EVENTS + " (bin/penni status lists the jobs)";
        }
        JobState s = state.get();
        if (s.status() == JobStatus.COMPLETED) {
            return "job " + jobId + " completed but names no report";
        }
        return "job " + jobId + " has no report: it is " + s.status().name().toLowerCase(Locale.ROOT)
                + s.stage().map(st -> " (stage " + st + ")").orElse("") + (s.status().isFinal() ? ": " + s.message()
                : "; bin/penni follow " + jobId + " waits for it");
    }

    /** The job's completion event, read from the events topic's beginning to its end. */
    private static Optional<JobEvent> completedEvent(KafkaSession session, String jobId) {
        Optional<JobEvent> found = Optional.empty();
        try (JobEventFeed feed = JobEventFeed.fromBeginning(session, jobId)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!feed.caughtUp() && System.nanoTime() < deadline) {
                for (JobEvent e : feed.poll(Duration.ofMillis(200))) {
                    if (e.type() == EventType.JOB_COMPLETED) {
                        found = Optional.of(e);
                    }
                }
            }
        }
        return found;
    }
}
