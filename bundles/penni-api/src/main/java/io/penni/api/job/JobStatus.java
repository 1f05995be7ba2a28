package io.penni.api.job;

/** Where a job is in its life. */
public enum JobStatus {
    /** Accepted and waiting for a free slot of its next stage. */
    QUEUED,
    /** A stage is working on it. */
    RUNNING,
    /** Every stage completed; the result is in the artifact store. */
    COMPLETED,
    /** A stage failed for good; the event says why. */
    FAILED,
    /** The request was invalid; nothing ran. */
    REJECTED;

    /** @return whether nothing more will happen to a job in this state */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == REJECTED;
    }
}
