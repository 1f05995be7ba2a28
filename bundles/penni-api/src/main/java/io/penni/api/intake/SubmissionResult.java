package io.penni.api.intake;

import java.util.List;
import java.util.Objects;

/** What submitting a request gave. */
public sealed interface SubmissionResult {

    /** @return the job the request runs as, or was answered under */
    String jobId();

    /**
     * The request was usable and is on {@code penni.requests}.
     *
     * @param jobId the job it runs as
     */
    record Submitted(String jobId) implements SubmissionResult {
        /** Checks the fields. */
        public Submitted {
            Objects.requireNonNull(jobId, "jobId");
        }
    }

    /**
     * The request was refused: its {@code job.rejected} event and DLQ record are published.
     *
     * @param jobId the key it was answered under
     * @param reasons every problem, one line each, starting with the JSON pointer of the field where there is one
     */
    record Refused(String jobId, List<String> reasons) implements SubmissionResult {
        /** Checks the fields and copies the list. */
        public Refused {
            Objects.requireNonNull(jobId, "jobId");
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * The request could not be handed on (the broker did not take it in time); nothing about it was published.
     *
     * @param jobId the job it would have run as
     * @param reason why
     */
    record Unavailable(String jobId, String reason) implements SubmissionResult {
        /** Checks the fields. */
        public Unavailable {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
