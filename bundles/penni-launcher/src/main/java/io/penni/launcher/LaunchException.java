package io.penni.launcher;

/**
 * A reason the server cannot start, in one line a user can act on, and the exit code it ends with.
 * The launcher prints the message, never a stack trace.
 */
public final class LaunchException extends RuntimeException {
    /** Exit code of a configuration mistake: a bad value, a port in use, a missing folder. */
    public static final int CONFIG = 2;
    /** Exit code when something the server depends on cannot be reached (external Kafka). */
    public static final int UNREACHABLE = 3;
    /** Exit code when the container itself failed to start. */
    public static final int STARTUP = 4;

    private static final long serialVersionUID = 1L;
    private final int exitCode;

    /**
     * Creates the exception.
     *
     * @param exitCode the process's exit code
     * @param message what is wrong and where, in one line
     */
    public LaunchException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** @return the process's exit code */
    public int exitCode() {
        return exitCode;
    }
}
