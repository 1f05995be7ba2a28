package io.penni.systemtest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.workflow.CloudEvents;
import io.penni.workflow.Topics;

/** Publishes requests with a plain producer and reads every job event back, as a user's own tool would. */
final class JobWatch implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<JobEvent> events = new ArrayList<>();

    JobWatch(String bootstrap) {
        // a patient client: a request sent while the cluster is away waits for it (up to 3 minutes) instead of failing
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_BLOCK_MS_CONFIG, 180_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000), new StringSerializer(), new ByteArraySerializer());
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "systemtest-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.EVENTS));
    }

    /** A tiny but real job: Fashion-MNIST images, one or a few epochs per phase. */
    static String request(String jobId, int trainImages, int retrainEpochs) {
        return """
                {"jobId": "%s", "model": {"architecture": "vgg-small"},
                 "dataset": {"format": "fashion-mnist", "path": "fashion-mnist", "trainLimit": %d, "testLimit": 256},
                 "pretrain": {"epochs": 1, "batchSize": 64, "learningRate": 0.05},
                 "penni": {"switchEvery": 1, "retrain": {"epochs": %d, "batchSize": 64},
                           "finetune": {"epochs": 1, "batchSize": 64}},
                 "evaluation": {"batchSizes": [1], "warmupRuns": 1, "timedRuns": 3}}"""
                .formatted(jobId, trainImages, retrainEpochs);
    }

    /**
     * The same small request, distilling from the job's dense model in retraining and fine-tuning.
     *
     * @param jobId the job's id
     * @param trainImages training images
     * @param retrainEpochs retraining epochs
     * @return the request JSON
     */
    static String distillingRequest(String jobId, int trainImages, int retrainEpochs) {
        return request(jobId, trainImages, retrainEpochs).replace("\"penni\": {",
                "\"penni\": {\"distillation\": {\"enabled\": true, \"alpha\": 0.5, \"temperature\": 2}, ");
    }

    void submit(String jobId, String request) throws Exception {
        send(jobId, request).get();
    }

    /**
     * Sends a request from another thread (a send may block while the cluster is away) without waiting for it: it is
     * delivered when a broker can take it.
     */
    CompletableFuture<RecordMetadata> send(String jobId, String request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return producer.send(new ProducerRecord<>(Topics.REQUESTS, jobId,
                        request.getBytes(StandardCharsets.UTF_8))).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            } catch (ExecutionException e) {
                throw new CompletionException(e.getCause());
            }
        });
    }

    JobEvent await(Predicate<JobEvent> wanted, Duration patience, String what) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            for (JobEvent e : events) {
                if (wanted.test(e)) {
                    return e;
                }
            }
            poll(Duration.ofMillis(500));
        }
        throw new AssertionError("waited " + patience.toSeconds() + " s for " + what + "; last events: "
                + events.subList(Math.max(0, events.size() - 6), events.size()));
    }

    /** Reads whatever arrives in the given time. */
    void poll(Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        do {
            try {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    CloudEvents.read(r.headers(), r.value()).ifPresent(events::add);
                }
            } catch (org.apache.kafka.common.KafkaException e) {
                // the broker is down for a moment (a restart): keep trying until the deadline
            }
        } while (System.nanoTime() < deadline);
    }

    List<JobEvent> of(String jobId, EventType type) {
        return events.stream().filter(e -> e.jobId().equals(jobId) && e.type() == type).toList();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        consumer.close(Duration.ofSeconds(5));
    }
}
