package io.penni.cli.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One sub-command of {@code bin/penni}, e.g. {@code model summary}. A new command is a new class implementing
 * this, added to the list in {@link io.penni.cli.PenniCli#COMMANDS}.
 */
public interface Command {

    /** @return the words that select it, e.g. {@code [model, summary]} */
    List<String> path();

    /** @return its arguments, e.g. {@code ARCH|MODEL.json [--json]} */
    String arguments();

    /** @return one line saying what it does */
    String description();

    /**
     * Runs it.
     *
     * @param args the arguments after its path
     * @param out where its output goes
     * @return the exit status: 0 on success
     * @throws CliException for bad arguments or a failure, with the one line to print
     */
    int run(List<String> args, PrintStream out);

    /**
     * The base folder of this process: {@code PENNI_BASE} ({@code bin/penni} sets it), else the current folder.
     * The running server's {@code var/} and {@code runtime-config/} are under it.
     *
     * @return the folder
     */
    static Path baseFolder() {
        return Path.of(Optional.ofNullable(System.getenv(KafkaTarget.BASE_ENV)).filter(s -> !s.isBlank()).orElse("."));
    }
}
