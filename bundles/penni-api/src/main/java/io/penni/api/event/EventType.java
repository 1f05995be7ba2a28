package io.penni.api.event;

import java.util.Arrays;
import java.util.Optional;

/** The CloudEvents {@code type} of every event the server publishes. */
public enum EventType {
    /** A request passed validation and became a job. */
    JOB_ACCEPTED("io.penni.job.accepted"),
    /** A request failed validation; the data says why. */
    JOB_REJECTED("io.penni.job.rejected"),
    /** A job waits for a free slot of its next stage. */
    STAGE_QUEUED("io.penni.stage.queued"),
    /** A stage began (or resumed) work on a job. */
    STAGE_STARTED("io.penni.stage.started"),
    /** A stage reports progress: epoch, iteration, loss, accuracy, sparsity, throughput. */
    STAGE_PROGRESS("io.penni.stage.progress"),
    /** A stage finished and published its artifacts. */
    STAGE_COMPLETED("io.penni.stage.completed"),
    /** Every stage finished; the data points to the compressed model and report. */
    JOB_COMPLETED("io.penni.job.completed"),
    /** A stage failed for good; the data says why. */
    JOB_FAILED("io.penni.job.failed"),
    /** A model version became ready to serve; the subject is the model's name, the data its version and backend. */
    MODEL_DEPLOYED("io.penni.model.deployed"),
    /** A model version stopped being served (replaced, or removed from the repository); the subject is its name. */
    MODEL_UNDEPLOYED("io.penni.model.undeployed");

    private final String type;

    EventType(String type) {
        this.type = type;
    }

    /** @return whether the event's subject is a job (else a served model) */
    public boolean aboutAJob() {
        return this != MODEL_DEPLOYED && this != MODEL_UNDEPLOYED;
    }

    /** @return the CloudEvents type string */
    public String type() {
        return type;
    }

    /**
     * Looks up an event type by its CloudEvents type string.
     *
     * @param type e.g. {@code io.penni.job.completed}
     * @return the event type, or empty when unknown
     */
    public static Optional<EventType> of(String type) {
        return Arrays.stream(values()).filter(t -> t.type.equals(type)).findFirst();
    }
}
