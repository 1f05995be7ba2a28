package io.penni.cli.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Which Kafka cluster the CLI talks to, and where that choice came from (for messages). In order: the
 * {@code --bootstrap} option; the environment variable {@code PENNI_KAFKA_BOOTSTRAP_SERVERS}; the {@code kafka} of
 * {@code var/server.json}, which a running server writes under the base folder; {@code bootstrap.servers} in
 * {@code runtime-config/penni.kafka.cfg} (an external cluster); else {@code 127.0.0.1:9092}, the embedded broker's
 * default. Other keys of {@code penni.kafka.cfg} (security settings) are passed to the clients as the server passes
 * them to its own.
 *
 * @param bootstrap the bootstrap servers
 * @param source where they were set, e.g. {@code var/server.json}
 * @param clientProperties extra client properties, from {@code runtime-config/penni.kafka.cfg}
 */
public record KafkaTarget(String bootstrap, String source, Map<String, String> clientProperties) {

    /** The environment variable naming the cluster, as the server reads it. */
    public static final String BOOTSTRAP_ENV = "PENNI_KAFKA_BOOTSTRAP_SERVERS";
    /** The environment variable naming the base folder ({@code bin/penni} sets it). */
    public static final String BASE_ENV = "PENNI_BASE";
    /** Where a running server says where it is, under the base folder. */
    public static final String SERVER_FILE = "var/server.json";
    /** The server's Kafka configuration, under the base folder. */
    public static final String KAFKA_CONFIG = "runtime-config/penni.kafka.cfg";
    /** The embedded broker's default address. */
    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    /** Keys of penni.kafka.cfg that configure the server, not clients (as the launcher reads the file). */
    private static final Set<String> SERVER_KEYS = Set.of("bootstrap.servers", "embedded.host", "embedded.port",
            "embedded.controller.port", "embedded.data", "topic.partitions", "topic.replication.factor");

    /** Copies the properties. */
    public KafkaTarget {
        clientProperties = Map.copyOf(clientProperties);
    }

    /**
     * The cluster for this process: its environment, the base folder it names (else the current folder).
     *
     * @param option the {@code --bootstrap} option, if given
     * @return the target
     */
    public static KafkaTarget forThisProcess(Optional<String> option) {
        return resolve(option, System.getenv(), Command.baseFolder());
    }

    /**
     * Picks the cluster.
     *
     * @param option the {@code --bootstrap} option, if given
     * @param environment the process environment
     * @param base the base folder ({@code var/} and {@code runtime-config/} are under it)
     * @return the target
     */
    public static KafkaTarget resolve(Optional<String> option, Map<String, String> environment, Path base) {
        Map<String, String> config = kafkaConfig(base.resolve(KAFKA_CONFIG));
        Map<String, String> clientProperties = new LinkedHashMap<>();
        config.forEach((k, v) -> {
            if (!SERVER_KEYS.contains(k) && !k.startsWith("felix.") && !k.startsWith("service.")) {
                clientProperties.put(k, v);
            }
        });
        Optional<String> fromOption = option.map(String::trim).filter(s -> !s.isEmpty());
        if (fromOption.isPresent()) {
            return new KafkaTarget(fromOption.get(), "--bootstrap", clientProperties);
        }
        Optional<String> fromEnvironment = Optional.ofNullable(environment.get(BOOTSTRAP_ENV)).map(String::trim)
                .filter(s -> !s.isEmpty());
        if (fromEnvironment.isPresent()) {
            return new KafkaTarget(fromEnvironment.get(), BOOTSTRAP_ENV, clientProperties);
        }
        Optional<String> fromServer = runningServerKafka(base.resolve(SERVER_FILE));
        if (fromServer.isPresent()) {
            return new KafkaTarget(fromServer.get(), SERVER_FILE, clientProperties);
        }
        Optional<String> fromConfig = Optional.ofNullable(config.get("bootstrap.servers")).map(String::trim)
                .filter(s -> !s.isEmpty());
        if (fromConfig.isPresent()) {
            return new KafkaTarget(fromConfig.get(), KAFKA_CONFIG + ": bootstrap.servers", clientProperties);
        }
        return new KafkaTarget(DEFAULT_BOOTSTRAP, "the default", clientProperties);
    }

    /** The {@code kafka} of a server file whose process still runs; a stale file (a killed server) is ignored. */
    private static Optional<String> runningServerKafka(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode server = new ObjectMapper().readTree(file.toFile());
            String kafka = server.path("kafka").asText("");
            boolean running = !server.path("pid").isNumber()
                    || ProcessHandle.of(server.path("pid").asLong()).map(ProcessHandle::isAlive).orElse(false);
            return running && !kafka.isBlank() ? Optional.of(kafka) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // half-written or not ours: the next source decides
        }
    }

    private static Map<String, String> kafkaConfig(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return values;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new CliException(file + ": cannot read it: " + e.getMessage(), CliException.FAILED);
        }
        p.stringPropertyNames().stream().sorted().forEach(k -> values.put(k, p.getProperty(k).trim()));
        return values;
    }
}
