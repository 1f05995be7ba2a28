package io.penni.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import io.penni.launcher.LauncherBroker;
import io.penni.workflow.Topics;

/**
 * A real Kafka broker for the CLI's tests: the PENNI launcher's embedded KRaft broker, in the test's JVM, on free
 * ports with its data in a temporary folder.
 */
public final class KafkaBroker implements AutoCloseable {

    private final AutoCloseable broker;
    private final String bootstrap;

    private KafkaBroker(AutoCloseable broker, String bootstrap) {
        this.broker = broker;
        this.bootstrap = bootstrap;
    }

    /**
     * Starts a broker.
     *
     * @param data an empty folder for its log
     * @return the running broker
     */
    public static KafkaBroker start(Path data) throws IOException {
        int port = freePort();
        return new KafkaBroker(LauncherBroker.start(data, port, freePort()), "127.0.0.1:" + port);
    }

    /** @return its bootstrap address */
    public String bootstrap() {
        return bootstrap;
    }

    /**
     * Creates topics as the server does (the job table compacted).
     *
     * @param partitions partitions per topic
     * @param topics the topics
     */
    public void createTopics(int partitions, List<String> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)
                    .configs(t.equals(Topics.JOBS) ? Map.of("cleanup.policy", "compact") : Map.of()))
                    .toList()).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** @return a local port nothing listens on right now */
    public static int freePort() throws IOException {
        // the kernel may hand the same ephemeral port out again once its socket is closed: a broker given it for
        // both listeners does not start, so a port is never handed out twice in this JVM
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public void close() {
        try {
            broker.close();
        } catch (Exception e) {
            throw new IllegalStateException("the test broker did not stop: " + e.getMessage(), e);
        }
    }
}
