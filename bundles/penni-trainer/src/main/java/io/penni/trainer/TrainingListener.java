package io.penni.trainer;

/** Receives the trainer's progress; every method has a do-nothing default. */
public interface TrainingListener {

    /**
     * After a training step.
     *
     * @param epoch the epoch, from 1
     * @param epochs epochs in the run
     * @param iteration the step in the epoch, from 1
     * @param iterations steps per epoch
     * @param loss the step's loss
     * @param accuracy the step's batch accuracy
     * @param imagesPerSecond throughput since the epoch began
     */
    default void iteration(int epoch, int epochs, int iteration, int iterations, double loss, double accuracy,
            double imagesPerSecond) {
    }

    /**
     * After an epoch (and its checkpoint).
     *
     * @param report what it did
     */
    default void epoch(EpochReport report) {
    }

    /**
     * The run continues from a checkpoint.
     *
     * @param completedEpochs epochs the checkpoint had finished
     */
    default void resumed(int completedEpochs) {
    }

    /**
     * A checkpoint was found that another start made (another start model, masks or settings): it is not continued,
     * and the run starts from its first epoch (its own checkpoints then replace it).
     *
     * @param completedEpochs the epochs the other run had finished
     */
    default void setAside(int completedEpochs) {
    }

    /**
     * The run distils from a teacher.
     *
     * @param runtime what computes the teacher's logits: an inference backend's name, or {@code graph} for the
     *        training graph in inference mode
     */
    default void distilling(String runtime) {
    }
}
