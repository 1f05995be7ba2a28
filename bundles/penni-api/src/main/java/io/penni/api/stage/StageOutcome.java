package io.penni.api.stage;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

import io.penni.api.artifact.ArtifactRef;

/** How a stage run ended. */
public sealed interface StageOutcome {

    /**
     * The stage finished.
     *
     * @param outputs artifacts it produced, by name; later stages see them as inputs
     * @param summary what it reports, typed by kind of stage
     * @param seconds its wall time, once the runner has timed it (a stage itself leaves it empty)
     */
    record Completed(Map<String, ArtifactRef> outputs, StageSummary summary, OptionalDouble seconds)
            implements StageOutcome {
        /** Checks the fields and copies the outputs. */
        public Completed {
            outputs = Map.copyOf(outputs);
            Objects.requireNonNull(summary, "summary");
            Objects.requireNonNull(seconds, "seconds");
        }

        /**
         * A stage's own result, not yet timed.
         *
         * @param outputs artifacts it produced, by name
         * @param summary what it reports
         */
        public Completed(Map<String, ArtifactRef> outputs, StageSummary summary) {
            this(outputs, summary, OptionalDouble.empty());
        }

        /**
         * @param wallSeconds the stage's wall time
         * @return this outcome with its wall time
         */
        public Completed withSeconds(double wallSeconds) {
            return new Completed(outputs, summary, OptionalDouble.of(wallSeconds));
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
