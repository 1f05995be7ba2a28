package io.penni.api.stage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One step of a compression job (decompose, retrain, prune, ...), registered as a service with the
 * {@value #STAGE} property naming the stage. A stage reads its inputs from the context, writes its
 * outputs to the artifact store and returns; it must be idempotent per job, so that a job redelivered
 * after a crash can run it again and resume from the last checkpoint in {@link StageContext#workDir()}.
 */
@ConsumerType
public interface CompressionStage {

    /** Service property: the stage's name, e.g. {@code retrain}. */
    String STAGE = "penni.stage";

    /** Service property: whether the stage trains (and so counts against the training concurrency limit). */
    String TRAINING = "penni.stage.training";

    /**
     * Runs the stage for one job. Failures are returned, not thrown.
     *
     * @param context the job, its inputs and where to report progress
     * @return what the stage produced, or why it failed
     */
    StageOutcome run(StageContext context);
}
