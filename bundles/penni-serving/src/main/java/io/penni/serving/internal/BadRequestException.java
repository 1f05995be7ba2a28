package io.penni.serving.internal;

/**
 * A request the endpoint refuses with a 4xx status and {@code {"error": message}}. Thrown only inside this bundle,
 * from parsing to the servlet that answers it.
 */
final class BadRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

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
        super(message, null, false, false);
        this.status = status;
    }

    /** @return the HTTP status */
    int status() {
        return status;
    }
}
