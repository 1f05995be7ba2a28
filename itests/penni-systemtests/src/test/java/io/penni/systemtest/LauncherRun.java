package io.penni.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of the distribution's launcher as bin/penni runs it (e.g. {@code compress REQUEST.json --local}), in a
 * process of its own.
 *
 * @param exitCode how it ended
 * @param output what it printed, standard error included
 */
record LauncherRun(int exitCode, String output) {

    /**
     * @param base the base folder (runtime-config/ and var/)
     * @param args the launcher's command and arguments
     * @return how the run ended and what it printed
     */
    static LauncherRun of(Path base, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx3g", "--add-modules", "jdk.incubator.vector", "-cp", ServerProcess.DIST.resolve("lib")
                + "/*", "io.penni.launcher.PenniLauncher"));
        command.addAll(List.of(args));
        command.addAll(List.of("--base", base.toString(), "--dist", ServerProcess.DIST.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(600, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the launcher did not end within 600 s: " + command);
        }
        return new LauncherRun(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
