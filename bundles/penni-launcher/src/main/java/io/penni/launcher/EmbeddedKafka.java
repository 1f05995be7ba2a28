package io.penni.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running in the launcher's JVM,
 * used when no external cluster is configured. Its data survives restarts under {@code var/kafka}; it dies
 * with the process, so it can never be left behind as an orphan.
 */
final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private final KafkaRaftServer server;

    private EmbeddedKafka(KafkaRaftServer server) {
        this.server = server;
    }

    /**
     * Formats the data folder on first use and starts the broker.
     *
     * @param kafka the settings
     * @return the running broker
     * @throws LaunchException when the data folder cannot be used or the broker does not start
     */
    static EmbeddedKafka start(Settings.KafkaSettings kafka) {
        Path data = kafka.dataDir();
        Properties config = brokerConfig(kafka);
        try {
            Files.createDirectories(data);
            Path properties = data.resolve("server.properties");
            try (Writer out = Files.newBufferedWriter(properties)) {
                config.store(out, "written by the PENNI launcher on every start; edit runtime-config/penni.kafka.cfg");
            }
            format(data, properties);
        } catch (IOException e) {
            throw new LaunchException(LaunchException.CONFIG,
                    "embedded Kafka cannot use its data folder " + data + ": " + e.getMessage());
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            throw new LaunchException(LaunchException.STARTUP, "embedded Kafka did not start on "
                    + kafka.bootstrapServers() + ": " + rootMessage(e) + " (details in var/log/penni.log)");
        }
        LOG.info("embedded Kafka broker started on {}", kafka.bootstrapServers());
        return new EmbeddedKafka(server);
    }

    private static Properties brokerConfig(Settings.KafkaSettings kafka) {
        String listener = kafka.host() + ":" + kafka.port();
        String controller = kafka.host() + ":" + kafka.controllerPort();
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@" + controller);
        p.setProperty("listeners", "PLAINTEXT://" + listener + ",CONTROLLER://" + controller);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + listener);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", kafka.dataDir().toAbsolutePath().toString());
        // One node: every internal topic has one replica.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        return p;
    }

    private static void format(Path data, Path properties) throws IOException {
        Path clusterIdFile = data.resolve("cluster.id");
        String clusterId;
        if (Files.exists(clusterIdFile)) {
            clusterId = Files.readString(clusterIdFile).trim();
        } else {
            clusterId = Uuid.randomUuid().toString();
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            status = StorageTool.execute(new String[] {"format", "--cluster-id", clusterId, "--config",
                    properties.toString(), "--ignore-formatted"}, out);
        } catch (RuntimeException e) {
            throw new IOException("formatting failed: " + rootMessage(e), e);
        }
        if (status != 0) {
            throw new IOException("formatting failed: " + output.toString(StandardCharsets.UTF_8).trim());
        }
        Files.writeString(clusterIdFile, clusterId);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Stops the broker and waits until it has stopped. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("embedded Kafka broker stopped");
    }
}
