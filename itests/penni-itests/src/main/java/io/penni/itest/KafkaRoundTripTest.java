package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;

/** A record produced and consumed from inside the container through the wrapped kafka-clients bundle. */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class KafkaRoundTripTest {

    @InjectBundleContext
    BundleContext context;

    @Test
    void aRecordRoundTripsThroughTheEmbeddedBroker() throws Exception {
        String bootstrap = context.getProperty("penni.kafka.bootstrap.servers");
        String topic = "itest.roundtrip." + UUID.randomUUID();
        String key = "job-" + UUID.randomUUID();
        KafkaJobs.kafka(() -> {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        try (KafkaProducer<String, String> producer = KafkaJobs.kafka(() -> new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer()))) {
            producer.send(new ProducerRecord<>(topic, key, "hello from inside OSGi")).get();
        }
        try (KafkaConsumer<String, String> consumer = KafkaJobs.kafka(() -> new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "itest",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new StringDeserializer()))) {
            consumer.subscribe(List.of(topic));
            ConsumerRecord<String, String> received = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received == null && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, String> r : records) {
                    received = r;
                }
            }
            assertEquals(key, received == null ? null : received.key(), "no record came back within 60 s");
            assertEquals("hello from inside OSGi", received.value());
        }
    }
}
