package io.penni.launcher.feature;

/** A feature file that cannot be used; the message names the file and the problem. */
public final class FeatureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the file and the problem, in one line
     */
    public FeatureException(String message) {
        super(message);
    }
}
