package io.penni.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The distribution's command line ({@code cli/} of the distribution, the class path bin/penni gives it), run in
 * its own JVM the way {@code bin/penni report JOB} runs it.
 */
final class CliProcess {

    /** What one command printed and how it ended. */
    record Result(int exitCode, String output) {
    }

    private CliProcess() {
    }

    /**
     * Runs one CLI command against a broker.
     *
     * @param kafka the bootstrap servers, passed as {@code --bootstrap}
     * @param args the command and its arguments
     * @return its exit code and its standard output and error together
     */
    static Result run(String kafka, String... args) throws IOException, InterruptedException {
        return run(null, Map.of(), kafka, args);
    }

    /**
     * Runs one CLI command against a broker, on a base folder, as {@code bin/penni} runs it there
     * ({@code PENNI_BASE}).
     *
     * @param base the base folder (its runtime-config/ is the CLI's), or null for the inherited one
     * @param environment more environment variables (e.g. credentials)
     * @param kafka the bootstrap servers, passed as {@code --bootstrap}
     * @param args the command and its arguments
     * @return its exit code and its standard output and error together
     */
    static Result run(Path base, Map<String, String> environment, String kafka, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", ServerProcess.DIST.resolve("cli") + "/*", "io.penni.cli.PenniCli"));
        command.addAll(List.of(args));
        command.addAll(List.of("--bootstrap", kafka));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (base != null) {
            builder.environment().put("PENNI_BASE", base.toString());
        }
        builder.environment().putAll(environment);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the CLI did not end within 60 s: " + command);
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
