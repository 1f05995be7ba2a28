package io.penni.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A PENNI server in its own JVM, started the way bin/penni starts it, on a base folder of its own (a copy of
 * runtime-config/ on free ports). Output goes to {@code server.log} in the base folder.
 */
final class ServerProcess implements AutoCloseable {

    static final Path DIST = Path.of(System.getProperty("penni.dist"));
    static final Path REPO = Path.of(System.getProperty("penni.repo"));

    private final Path base;
    private final Map<String, String> environment;
    private final int httpPort;
    private Process process;

    private ServerProcess(Path base, Map<String, String> environment, int httpPort) {
        this.base = base;
        this.environment = environment;
        this.httpPort = httpPort;
    }

    /**
     * Prepares a base folder: the shipped runtime-config/ with its own Kafka ports and artifact root.
     *
     * @param base the folder
     * @param artifacts the artifact store's root (shared between containers that share jobs)
     * @param externalKafka the cluster to use, or null for this server's own embedded broker
     * @return the server, not started
     */
    static ServerProcess prepare(Path base, Path artifacts, String externalKafka) throws IOException {
        Path config = copyConfig(base);
        int kafkaPort = freePort();
        int controllerPort = freePort();
        Files.writeString(config.resolve("penni.kafka.cfg"), "bootstrap.servers=\nembedded.host=127.0.0.1\n"
                + "embedded.port=" + kafkaPort + "\nembedded.controller.port=" + controllerPort + "\n"
                + "embedded.data=kafka\ntopic.partitions=4\ntopic.replication.factor=1\n");
        Files.writeString(config.resolve("penni.artifacts.cfg"), "root=" + artifacts.toAbsolutePath() + "\n");
        int httpPort = freePort();
        Map<String, String> env = new HashMap<>(Map.of("PENNI_HTTP_PORT", String.valueOf(httpPort)));
        if (externalKafka != null) {
            env.put("PENNI_KAFKA_BOOTSTRAP_SERVERS", externalKafka);
        }
        ServerProcess server = new ServerProcess(base, env, httpPort);
        server.kafka = externalKafka == null ? "127.0.0.1:" + kafkaPort : externalKafka;
        return server;
    }

    private String kafka;

    /**
     * @param base a base folder
     * @return its runtime-config/, a copy of the shipped one
     */
    static Path copyConfig(Path base) throws IOException {
        Path config = Files.createDirectories(base.resolve("runtime-config"));
        try (var files = Files.list(REPO.resolve("runtime-config"))) {
            for (Path f : files.toList()) {
                Files.copy(f, config.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return config;
    }

    /** @return the port of its HTTP server (/metrics, /v2) */
    int httpPort() {
        return httpPort;
    }

    /** @return its base folder */
    Path base() {
        return base;
    }

    /**
     * Sets an environment variable of the server's process (before {@link #start()}).
     *
     * @param name the variable
     * @param value its value
     * @return this server
     */
    ServerProcess environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** @return this server's runtime-config/ folder */
    Path config() {
        return base.resolve("runtime-config");
    }

    /** @return the bootstrap servers the server uses */
    String kafka() {
        return kafka;
    }

    /** Starts it and waits until it says it is ready. */
    ServerProcess start() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "--add-modules", "jdk.incubator.vector", "-cp", DIST.resolve("lib") + "/*",
                "io.penni.launcher.PenniLauncher", "server", "--base", base.toString(), "--dist", DIST.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("server.log").toFile()));
        builder.environment().putAll(environment);
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        long mark = Files.exists(log()) ? Files.size(log()) : 0;
        process = builder.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + ":\n" + tail());
            }
            if (Files.exists(log()) && Files.size(log()) > mark
                    && Files.readString(log()).substring((int) mark).contains("PENNI Server ready")) {
                return this;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the server did not get ready within 120 s:\n" + tail());
    }

    /** Kills it with SIGKILL, as a crash would, and waits until it is gone. */
    void killHard() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * Stops it with SIGTERM.
     *
     * @return its exit code
     */
    @Override
    public String toString() {
        return "the server in " + base.getFileName();
    }

    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the server did not stop within 90 s of SIGTERM");
        }
        return process.exitValue();
    }

    /**
     * Freezes (SIGSTOP) or thaws (SIGCONT) the server's process: nothing in it runs, as in a long pause.
     *
     * @param frozen whether to freeze it
     */
    void freeze(boolean frozen) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", String.valueOf(process.pid()))
                .redirectErrorStream(true).start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill " + (frozen ? "-STOP" : "-CONT") + " " + process.pid() + ": "
                    + new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** @return the base URL of its HTTP port, e.g. {@code http://127.0.0.1:8181} */
    String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    Path log() {
        return base.resolve("server.log");
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            stop();
        }
    }

    static int freePort() {
        // the kernel may hand the same ephemeral port out again once its socket is closed: a broker given it for
        // both listeners does not start, so a port is never handed out twice in this JVM
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();
}
