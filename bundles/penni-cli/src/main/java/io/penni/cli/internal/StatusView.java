package io.penni.cli.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.JobState;

/** How {@code status} shows the job table (one row per job) and one job (its whole state). */
public final class StatusView {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    /** A table row's message is cut here; {@code status JOB} shows it whole. */
    private static final int MESSAGE_WIDTH = 60;

    private StatusView() {
    }

    /**
     * @param jobs the jobs, in the order to show them
     * @return the table, one line per job under a header
     */
    public static String table(List<JobState> jobs) {
        if (jobs.isEmpty()) {
            return "no jobs yet; submit one with bin/penni submit FILE\n";
        }
        int idWidth = Math.max(3, jobs.stream().mapToInt(j -> j.jobId().length()).max().orElse(3));
        int stageWidth = Math.max(5, jobs.stream().mapToInt(j -> j.stage().orElse("-").length()).max().orElse(5));
        String format = "%-" + idWidth + "s  %-9s  %-" + stageWidth + "s  %-20s  %s%n";
        StringBuilder text = new StringBuilder(String.format(format, "JOB", "STATUS", "STAGE", "UPDATED", "MESSAGE"));
        for (JobState job : jobs) {
            text.append(String.format(format, job.jobId(), job.status().name(), job.stage().orElse("-"),
                    time(job.updated()), cut(job.message())));
        }
        return text.toString();
    }

    /**
     * @param job a job's state
     * @return every field of it, its artifacts by name
     */
    public static String detail(JobState job) {
        StringBuilder text = new StringBuilder();
        text.append(String.format("%-10s %s%n", "job", job.jobId()));
        text.append(String.format("%-10s %s%n", "status", job.status().name()));
        text.append(String.format("%-10s %s%n", "stage", job.stage().orElse("-")));
        text.append(String.format("%-10s %s%n", "updated", time(job.updated())));
        text.append(String.format("%-10s %s%n", "message", job.message()));
        text.append(String.format("%-10s %s%n", "completed",
                job.completedStages().isEmpty() ? "-" : String.join(", ", job.completedStages())));
        if (job.artifacts().isEmpty()) {
            text.append(String.format("%-10s %s%n", "artifacts", "-"));
            return text.toString();
        }
        text.append("artifacts\n");
        Map<String, ArtifactRef> sorted = new TreeMap<>(job.artifacts());
        int nameWidth = sorted.keySet().stream().mapToInt(String::length).max().orElse(4);
        sorted.forEach((name, ref) -> text.append(String.format("  %-" + nameWidth + "s  %s  (%s, sha256 %s)%n", name,
                FollowView.where(ref), Figures.bytes(ref.size()), ref.sha256())));
        return text.toString();
    }

    private static String time(Instant instant) {
        return TIME.format(instant);
    }

    private static String cut(String message) {
        String line = message.replace('\n', ' ');
        return line.length() <= MESSAGE_WIDTH ? line : line.substring(0, MESSAGE_WIDTH - 3) + "...";
    }
}
