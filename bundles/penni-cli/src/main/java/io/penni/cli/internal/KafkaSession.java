package io.penni.cli.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The CLI's connection to a cluster: checks that a broker answers and that the server's topics exist before
 * anything else, so the user gets one line saying what to do instead of a client timing out. Consumers it makes
 * belong to no group (the CLI reads, it never commits) and read committed records only, as the server produces its
 * events in transactions.
 */
public final class KafkaSession implements AutoCloseable {

    /** How long a broker has to answer before the CLI says there is none. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaTarget target;
    private final Admin admin;

    private KafkaSession(KafkaTarget target, Admin admin) {
        this.target = target;
        this.admin = admin;
    }

    /**
     * Connects and checks the topics a command needs exist.
     *
     * @param target the cluster
     * @param topics the topics the command reads or writes
     * @return the session
     * @throws CliException when no broker answers in time or a topic is missing
     */
    public static KafkaSession open(KafkaTarget target, List<String> topics) {
        Map<String, Object> p = base(target);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CONNECT_TIMEOUT.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CONNECT_TIMEOUT.toMillis());
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        Admin admin;
        try {
            admin = Admin.create(p);
        } catch (KafkaException | IllegalArgumentException e) {
            throw new CliException("cannot use Kafka at " + target.bootstrap() + " (from " + target.source() + "): "
                    + rootMessage(e), CliException.FAILED);
        }
        KafkaSession session = new KafkaSession(target, admin);
        try {
            Set<String> existing = admin.listTopics().names().get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    throw new CliException("Kafka at " + target.bootstrap() + " (from " + target.source()
                            + ") has no topic " + topic + "; the PENNI server creates its topics when it starts: "
                            + "start it with bin/penni server against this cluster", CliException.FAILED);
                }
            }
            return session;
        } catch (TimeoutException e) {
            session.close();
            throw noKafka(target);
        } catch (ExecutionException e) {
            session.close();
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw noKafka(target);
            }
            throw new CliException("Kafka at " + target.bootstrap() + " (from " + target.source() + ") refused: "
                    + rootMessage(e), CliException.FAILED);
        } catch (InterruptedException e) {
            session.close();
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while connecting to Kafka", CliException.FAILED);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /**
     * @param target the cluster
     * @return the one line saying no broker answered
     */
    static CliException noKafka(KafkaTarget target) {
        return new CliException("no Kafka at " + target.bootstrap() + " (from " + target.source()
                + "); start the server with bin/penni server or pass --bootstrap", CliException.FAILED);
    }

    /**
     * Asks a broker for the cluster's id, as a follower does while no events arrive: Kafka's clients reconnect
     * silently forever, so without asking, a stopped server (with its embedded broker) would look like a quiet job.
     *
     * @return whether a broker answered within the connect timeout
     */
    public boolean answers() {
        try {
            admin.describeCluster().clusterId().get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** @return the cluster */
    public KafkaTarget target() {
        return target;
    }

    /**
     * A consumer that belongs to no group and reads committed records only.
     *
     * @return the consumer, which the caller closes
     */
    public KafkaConsumer<String, byte[]> consumer() {
        Map<String, Object> p = base(target);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // a reader must never create the server's topics (with the broker's defaults) by asking for them
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * @return an idempotent producer waiting for every replica, which the caller closes
     */
    public KafkaProducer<String, byte[]> producer() {
        Map<String, Object> p = base(target);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * The offsets after the last record written to each partition, committed or not (the high watermark): what a
     * reader must wait for to see every transaction that was already written when it started, once it resolves.
     *
     * @param partitions the partitions
     * @return the written end of each
     * @throws CliException when the broker does not answer in time
     */
    public Map<TopicPartition, Long> writtenEnd(List<TopicPartition> partitions) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        try {
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                    .get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).forEach((p, info) -> end.put(p, info.offset()));
            return end;
        } catch (TimeoutException | ExecutionException e) {
            throw noKafka(target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw noKafka(target);
        }
    }

    /**
     * Every partition of a topic, assigned to a consumer.
     *
     * @param consumer the consumer
     * @param topic the topic
     * @return the partitions
     */
    public static List<TopicPartition> assignAll(KafkaConsumer<String, byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(15));
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        return partitions;
    }

    /**
     * @param consumer a consumer
     * @param end an end offset per partition
     * @return whether the consumer's position has reached the end in every partition
     */
    public static boolean reached(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }

    private static Map<String, Object> base(KafkaTarget target) {
        Map<String, Object> p = new HashMap<>(target.clientProperties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrap());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "penni-cli");
        return p;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
