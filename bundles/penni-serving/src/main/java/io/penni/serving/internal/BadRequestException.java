package io.penni.serving.internal;

/**
 * A request the endpoint refuses with a 4xx status and {@code {"error": message}}. Thrown only inside this bundle,
 * from parsing to the servlet that answers it.
 */
final class BadRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final boolean overloaded;

    /**
     * A request refused with 400.
     *
     * @param message what is wrong, for the client
     */
    BadRequestException(String message) {
        this(400, message);
    }

    /**
     * A request refused with a status of its own.
     *
     * @param status the HTTP status, 4xx
     * @param message what is wrong, for the client
     */
    BadRequestException(int status, String message) {
        this(status, message, false);
    }

    private BadRequestException(int status, String message, boolean overloaded) {
        super(message, null, false, false);
        this.status = status;
        this.overloaded = overloaded;
    }

    /**
     * A request refused with 503 because the model's queue is full.
     *
     * @param message what is wrong, for the client
     * @return the refusal
     */
    static BadRequestException overloaded(String message) {
        return new BadRequestException(503, message, true);
    }

    /** @return the HTTP status */
    int status() {
        return status;
    }

    /** @return whether it was refused because the model's queue is full */
    boolean overloaded() {
        return overloaded;
    }
}
