package io.penni.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.stage.StageOutcome;

/**
 * How a pipeline run ended.
 *
 * @param completed each completed stage's outcome, in order
 * @param artifacts every artifact produced: by output name (the latest wins) and as {@code stage.output}
 * @param seconds wall time of each completed stage
 * @param failure the failure that stopped the job, if one did
 */
public record PipelineResult(Map<String, StageOutcome.Completed> completed, Map<String, ArtifactRef> artifacts,
        Map<String, Double> seconds, Optional<Failure> failure) {

    /** Copies the maps. */
    public PipelineResult {
        // stage order matters to reports: keep it
        completed = Collections.unmodifiableMap(new LinkedHashMap<>(completed));
        artifacts = Collections.unmodifiableMap(new LinkedHashMap<>(artifacts));
        seconds = Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
        Objects.requireNonNull(failure, "failure");
    }

    /**
     * A stage failure.
     *
     * @param stage the stage
     * @param reason why
     * @param retryable whether running it again may succeed
     */
    public record Failure(String stage, String reason, boolean retryable) {
    }
}
