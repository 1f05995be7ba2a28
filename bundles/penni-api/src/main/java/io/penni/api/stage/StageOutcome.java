package io.penni.api.stage;

import java.util.Map;
import java.util.Objects;

import io.penni.api.artifact.ArtifactRef;

/** How a stage run ended. */
public sealed interface StageOutcome {

    /**
     * The stage finished.
     *
     * @param outputs artifacts it produced, by name; later stages see them as inputs
     * @param summary figures for events and reports (JSON-compatible values)
     */
    record Completed(Map<String, ArtifactRef> outputs, Map<String, Object> summary) implements StageOutcome {
        /** Copies the maps. */
        public Completed {
            outputs = Map.copyOf(outputs);
            summary = Map.copyOf(summary);
        }
    }

    /**
     * The stage failed.
     *
     * @param reason one line a user can act on
     * @param retryable whether running the stage again may succeed (e.g. the container was stopping)
     */
    record Failed(String reason, boolean retryable) implements StageOutcome {
        /** Checks the fields. */
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
