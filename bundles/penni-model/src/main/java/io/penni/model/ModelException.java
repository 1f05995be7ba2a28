package io.penni.model;

/**
 * A network, model or model file is invalid or cannot be read. The message is one line that names the file,
 * layer, parameter or tensor and what is wrong with it, fit to show a user as it is.
 *
 * <p>Unchecked, because most callers hold models they built themselves; a service that takes models from
 * users catches it at its boundary and turns the message into its result value.
 */
public final class ModelException extends RuntimeException {

    /**
     * An error with no underlying cause.
     *
     * @param message one line naming what is wrong
     */
    public ModelException(String message) {
        super(message);
    }

    /**
     * An error caused by another, e.g. an I/O failure.
     *
     * @param message one line naming what is wrong
     * @param cause the underlying failure
     */
    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
