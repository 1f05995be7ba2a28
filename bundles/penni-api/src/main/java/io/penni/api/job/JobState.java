package io.penni.api.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.penni.api.artifact.ArtifactRef;

/**
 * The latest state of a job, as the compacted job table keeps it.
 *
 * @param jobId the job
 * @param status its status
 * @param stage the stage it is in or last was in
 * @param completedStages stages done, in order
 * @param message a human-readable line on the latest change (a failure's reason, for instance)
 * @param artifacts named artifacts produced so far (e.g. {@code model}, {@code report})
 * @param updated when the state last changed
 */
public record JobState(String jobId, JobStatus status, Optional<String> stage, List<String> completedStages,
        String message, Map<String, ArtifactRef> artifacts, Instant updated) {
    /** Checks the fields. */
    public JobState {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(updated, "updated");
        completedStages = List.copyOf(completedStages);
        artifacts = Map.copyOf(artifacts);
    }
}
