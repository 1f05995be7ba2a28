package io.penni.systemtest;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link StandaloneBroker} in a child process: started, stopped and started again on one data folder and port. */
final class BrokerProcess implements AutoCloseable {

    private final Path data;
    private final int port = ServerProcess.freePort();
    private final int controllerPort = ServerProcess.freePort();
    private Process process;

    BrokerProcess(Path data) {
        this.data = data;
    }

    /** @return its bootstrap address */
    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Starts it and waits until it says it is ready. */
    BrokerProcess start() throws IOException, InterruptedException, URISyntaxException {
        Files.createDirectories(data);
        Path tests = Path.of(StandaloneBroker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path log = data.resolveSibling(data.getFileName() + ".log");
        long mark = Files.exists(log) ? Files.size(log) : 0;
        process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", ServerProcess.DIST.resolve("lib") + "/*:" + tests,
                StandaloneBroker.class.getName(), data.toString(), String.valueOf(port),
                String.valueOf(controllerPort))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            if (Files.exists(log) && Files.readString(log).substring((int) mark).contains("broker ready")) {
                return this;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the broker did not start within 60 s:\n" + Files.readString(log));
    }

    /** Stops it with SIGTERM and waits until it is gone. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }
}
