package io.penni.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.event.JobEvent;
import io.penni.cli.KafkaBroker;
import io.penni.workflow.CloudEvents;
import io.penni.workflow.Topics;

class JobFollowerTest {

    @TempDir
    Path data;

    @Test
    void aBrokerThatStopsWhileAJobIsFollowedEndsTheFollowWithOneLine() throws Exception {
        KafkaBroker broker = KafkaBroker.start(data);
        boolean stopped = false;
        try {
            broker.createTopics(1, List.of(Topics.EVENTS));
            JobEvent accepted = new JobEvent("e1", java.net.URI.create("urn:test"),
                    io.penni.api.event.EventType.JOB_ACCEPTED, "j1", Optional.empty(), java.time.Instant.now(),
                    Map.of("plan", List.of("pretrain")));
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()), new StringSerializer(),
                    new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.EVENTS, null, "j1", CloudEvents.value(accepted),
                        CloudEvents.headers(accepted))).get();
            }
            KafkaTarget target = new KafkaTarget(broker.bootstrap(), "--bootstrap", Map.of());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (KafkaSession session = KafkaSession.open(target, List.of(Topics.EVENTS));
                    JobEventFeed feed = JobEventFeed.fromBeginning(session, "j1")) {
                // the server (with its embedded broker) dies once the job has started
                Thread killer = new Thread(() -> {
                    sleep(Duration.ofSeconds(2));
                    broker.close();
                });
                killer.start();
                stopped = true;
                CliException e = assertThrows(CliException.class, () -> JobFollower.follow(session, feed, "j1",
                        new PrintStream(out, true, StandardCharsets.UTF_8), new FollowPrinter.Plain(Duration.ofSeconds(10)),
                        Optional.of(Duration.ofSeconds(60)), Duration.ofSeconds(1), Duration.ofSeconds(3)));
                killer.join();
                assertEquals("follow: Kafka at " + broker.bootstrap() + " (from --bootstrap) has not answered for 3s; "
                        + "if the server stopped, its log says why (var/log/penni.log)", e.getMessage());
                assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("job j1 accepted"), out.toString());
            }
        } finally {
            if (!stopped) {
                broker.close();
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
