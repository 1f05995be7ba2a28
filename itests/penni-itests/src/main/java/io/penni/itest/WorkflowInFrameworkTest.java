package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.junit5.context.BundleContextExtension;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.stage.StageNames;
import io.penni.workflow.CloudEvents;
import io.penni.workflow.Topics;

/**
 * The whole product through Kafka, inside the running container: requests published with a plain producer;
 * good ones run through every stage to exactly one {@code job.completed}, bad ones end rejected with their bytes
 * in the DLQ, and the container keeps serving.
 */
@ExtendWith(BundleContextExtension.class)
class WorkflowInFrameworkTest {

    /** A real but tiny job: 512 Fashion-MNIST images, one epoch per training phase. */
    static String tinyRequest(String jobId) {
        return """
                {"jobId": "%s", "model": {"architecture": "vgg-small"},
                 "dataset": {"format": "fashion-mnist", "path": "fashion-mnist", "trainLimit": 512, "testLimit": 256},
                 "pretrain": {"epochs": 1, "batchSize": 64, "learningRate": 0.05},
                 "penni": {"switchEvery": 1, "retrain": {"epochs": 1, "batchSize": 64},
                           "finetune": {"epochs": 1, "batchSize": 64}},
                 "evaluation": {"batchSizes": [1, 8], "warmupRuns": 2, "timedRuns": 5}}""".formatted(jobId);
    }

    @InjectBundleContext
    BundleContext context;

    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, byte[]> events;
    private final List<JobEvent> seen = new ArrayList<>();

    @BeforeEach
    void clients() {
        String bootstrap = context.getProperty("penni.kafka.bootstrap.servers");
        producer = kafka(() -> new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer()));
        events = kafka(() -> new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "itest-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer()));
        events.subscribe(List.of(Topics.EVENTS));
    }

    @AfterEach
    void close() {
        producer.close();
        events.close();
    }

    @Test
    void badRequestsAreRejectedIntoTheDlqAndAGoodOneStillCompletesExactlyOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> bad = new HashMap<>();
        bad.put("malformed-" + run, "{\"model\": {\"architecture\": ");
        bad.put("schema-" + run, "{\"model\": {\"architecture\": \"vgg-small\"}, \"dataset\": {\"format\": \"svhn\"}}");
        bad.put("arch-" + run, tinyRequest("arch-" + run).replace("vgg-small", "vgg-enormous"));
        bad.put("strategy-" + run, tinyRequest("strategy-" + run).replace("\"evaluation\"",
                "\"pruning\": {\"strategy\": \"no-such-strategy\"}, \"evaluation\""));
        bad.put("data-" + run, tinyRequest("data-" + run).replace("\"path\": \"fashion-mnist\"",
                "\"path\": \"no-such-data\""));
        bad.put("escape-" + run, tinyRequest("escape-" + run).replace("\"path\": \"fashion-mnist\"",
                "\"path\": \"../../etc\""));
        for (Map.Entry<String, String> request : bad.entrySet()) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS, request.getKey(),
                    request.getValue().getBytes(StandardCharsets.UTF_8))).get();
        }
        String good = "good-" + run;
        producer.send(new ProducerRecord<>(Topics.REQUESTS, good, tinyRequest(good).getBytes(StandardCharsets.UTF_8))).get();

        for (String jobId : bad.keySet()) {
            JobEvent rejected = await(e -> e.jobId().equals(jobId) && e.type() == EventType.JOB_REJECTED,
                    Duration.ofSeconds(60), "rejection of " + jobId);
            List<?> reasons = (List<?>) rejected.data().get("reasons");
            assertTrue(reasons != null && !reasons.isEmpty(), "a rejection says why: " + rejected.data());
        }
        assertDlqHolds(bad);

        JobEvent completed = await(e -> e.jobId().equals(good) && e.type() == EventType.JOB_COMPLETED,
                Duration.ofMinutes(8), "completion of " + good);
        List<String> stagesCompleted = seen.stream()
                .filter(e -> e.jobId().equals(good) && e.type() == EventType.STAGE_COMPLETED)
                .map(e -> e.stage().orElse("")).toList();
        assertEquals(StageNames.ALL, stagesCompleted, "every stage completes once, in order");
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) completed.data().get("report");
        Path reportFile = Path.of(java.net.URI.create((String) report.get("uri")));
        String json = Files.readString(reportFile);
        for (String field : List.of("\"baseline\"", "\"compressed\"", "\"params\"", "\"macs\"", "\"layers\"",
                "\"inference\"")) {
            assertTrue(json.contains(field), "report.json has " + field);
        }
        drain(Duration.ofSeconds(3));
        assertEquals(1, seen.stream().filter(e -> e.jobId().equals(good) && e.type() == EventType.JOB_COMPLETED).count(),
                "exactly one job.completed");
    }

    private void assertDlqHolds(Map<String, String> bad) throws Exception {
        String bootstrap = context.getProperty("penni.kafka.bootstrap.servers");
        try (KafkaConsumer<String, byte[]> dlq = kafka(() -> new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG,
                "itest-dlq-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer()))) {
            dlq.subscribe(List.of(Topics.REQUESTS_DLQ));
            Map<String, ConsumerRecord<String, byte[]>> found = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (found.size() < bad.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : dlq.poll(Duration.ofMillis(500))) {
                    if (bad.containsKey(r.key())) {
                        found.put(r.key(), r);
                    }
                }
            }
            assertEquals(bad.keySet(), found.keySet(), "every bad request is in the DLQ");
            for (Map.Entry<String, ConsumerRecord<String, byte[]>> e : found.entrySet()) {
                assertEquals(bad.get(e.getKey()), new String(e.getValue().value(), StandardCharsets.UTF_8),
                        "the DLQ keeps the original bytes");
                Header reason = e.getValue().headers().lastHeader(Topics.DLQ_REASON_HEADER);
                assertTrue(reason != null && reason.value().length > 0, "the DLQ record says why");
            }
        }
    }

    private JobEvent await(Predicate<JobEvent> wanted, Duration patience, String what) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            for (JobEvent e : seen) {
                if (wanted.test(e)) {
                    return e;
                }
            }
            drain(Duration.ofMillis(500));
        }
        throw new AssertionError("waited " + patience.toSeconds() + " s for the " + what + "; last events: "
                + seen.subList(Math.max(0, seen.size() - 5), seen.size()));
    }

    private void drain(Duration time) {
        for (ConsumerRecord<String, byte[]> r : events.poll(time)) {
            CloudEvents.read(r.headers(), r.value()).ifPresent(seen::add);
        }
    }

    private static <T> T kafka(Supplier<T> create) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(KafkaProducer.class.getClassLoader());
        try {
            return create.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
