package io.penni.workflow.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Creates the workflow's Kafka clients from the connection settings (bootstrap servers plus any security
 * properties passed through from {@code penni.kafka}). kafka-clients resolves some classes by name through the
 * thread's context class loader, so every client is built with the kafka-clients bundle's loader set.
 */
final class KafkaClients {

    private final Map<String, Object> base;

    /**
     * @param base bootstrap servers and pass-through client properties
     */
    KafkaClients(Map<String, Object> base) {
        this.base = Map.copyOf(base);
    }

    KafkaConsumer<String, byte[]> consumer(String groupId, String instanceId) {
        Map<String, Object> p = new HashMap<>(base);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        // a restarted container must get its partitions back without waiting out the dead member's session
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 15_000);
        return withKafkaLoader(() -> new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()));
    }

    /** A consumer in no group, for reading assigned partitions without committing (the job table's watch). */
    KafkaConsumer<String, byte[]> reader() {
        Map<String, Object> p = new HashMap<>(base);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return withKafkaLoader(() -> new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()));
    }

    KafkaProducer<String, byte[]> transactionalProducer(String transactionalId) {
        return transactionalProducer(transactionalId, Map.of());
    }

    /**
     * @param transactionalId the producer's transactional id
     * @param overrides further producer settings (time-outs of a caller that must answer soon, say)
     * @return a transactional, idempotent producer
     */
    KafkaProducer<String, byte[]> transactionalProducer(String transactionalId, Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>(base);
        p.putAll(overrides);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return withKafkaLoader(() -> new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()));
    }

    KafkaProducer<String, byte[]> producer() {
        Map<String, Object> p = new HashMap<>(base);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        return withKafkaLoader(() -> new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()));
    }

    Admin admin() {
        return withKafkaLoader(() -> Admin.create(new HashMap<>(base)));
    }

    static <T> T withKafkaLoader(Supplier<T> create) {
        return io.penni.workflow.KafkaClassLoading.withKafkaLoader(create);
    }
}
