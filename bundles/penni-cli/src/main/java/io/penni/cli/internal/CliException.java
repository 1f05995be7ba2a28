package io.penni.cli.internal;

/**
 * A command cannot do what it was asked: the message is the one line {@code bin/penni} prints after
 * {@code penni: }, the status what it exits with.
 */
public final class CliException extends RuntimeException {

    /** Exit status for a command line that does not parse. */
    public static final int USAGE = 2;

    /** Exit status for a command that failed. */
    public static final int FAILED = 1;

    private final int status;

    /**
     * A failure.
     *
     * @param message one line saying what is wrong
     * @param status the exit status, {@link #USAGE} or {@link #FAILED}
     */
    public CliException(String message, int status) {
        super(message);
        this.status = status;
    }

    /**
     * A command line that does not parse.
     *
     * @param message one line saying what is wrong
     * @return the exception
     */
    public static CliException usage(String message) {
        return new CliException(message, USAGE);
    }

    /** @return the exit status */
    public int status() {
        return status;
    }
}
