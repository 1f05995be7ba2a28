package io.penni.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.JobState;
import io.penni.api.job.JobStatus;

class StatusViewTest {

    private static final Instant T = Instant.parse("2026-11-21T10:00:03Z");

    @Test
    void theTableHasOneAlignedRowPerJob() {
        String table = StatusView.table(List.of(
                new JobState("a", JobStatus.RUNNING, Optional.of("retrain"), List.of(), "retrain running", Map.of(), T),
                new JobState("job-22", JobStatus.REJECTED, Optional.empty(), List.of(), "/model: required", Map.of(), T)));
        assertEquals("""
                JOB     STATUS     STAGE    UPDATED               MESSAGE
                a       RUNNING    retrain  2026-11-21 10:00:03Z  retrain running
                job-22  REJECTED   -        2026-11-21 10:00:03Z  /model: required
                """, table);
    }

    @Test
    void aLongMessageIsCutInTheTable() {
        String table = StatusView.table(List.of(new JobState("a", JobStatus.FAILED, Optional.of("retrain"), List.of(),
                "x".repeat(100), Map.of(), T)));
        assertEquals("x".repeat(57) + "...", table.lines().toList().get(1).substring(47));
    }

    @Test
    void anEmptyTableSaysHowToSubmitAJob() {
        assertEquals("no jobs yet; submit one with bin/penni submit FILE\n", StatusView.table(List.of()));
    }

    @Test
    void theDetailShowsStagesAndEveryArtifactWithSizeAndChecksum() {
        ArtifactRef report = new ArtifactRef(URI.create("file:/store/a/report/report.md"), "00ff", 1234);
        String detail = StatusView.detail(new JobState("a", JobStatus.COMPLETED, Optional.of("evaluate"),
                List.of("pretrain", "decompose"), "completed: top-1 90.00% -> 89.50%", Map.of("report.md", report), T));
        assertEquals("""
                job        a
                status     COMPLETED
                stage      evaluate
                updated    2026-11-21 10:00:03Z
                message    completed: top-1 90.00% -> 89.50%
                completed  pretrain, decompose
                artifacts
                  report.md  /store/a/report/report.md  (1,234 bytes, sha256 00ff)
                """, detail);
    }
}
