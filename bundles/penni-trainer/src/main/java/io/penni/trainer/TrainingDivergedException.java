package io.penni.trainer;

/** Training produced a non-finite loss; the message says where and what to try. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message phase, epoch, step and learning rate, in one line
     */
    public TrainingDivergedException(String message) {
        super(message);
    }
}
