package io.penni.datasets;

/**
 * A data set cannot be loaded. The message is one line naming the file (relative to the data root) or the
 * parameter and what is wrong with it, fit to show to the user as it is.
 */
public final class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line naming the file or parameter and the problem
     */
    public DatasetException(String message) {
        super(message);
    }

    /**
     * @param message one line naming the file or parameter and the problem
     * @param cause the underlying failure, kept for the log
     */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
