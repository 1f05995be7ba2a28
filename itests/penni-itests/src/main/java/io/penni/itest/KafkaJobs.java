package io.penni.itest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.osgi.framework.BundleContext;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.workflow.CloudEvents;
import io.penni.workflow.Topics;

/**
 * A test's side of the workflow, as a user's client sees it: requests published with a plain producer, the job
 * events of {@code penni.events} read back (committed ones only) and kept in order of arrival.
 */
final class KafkaJobs implements AutoCloseable {

    private final String bootstrap;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> events;
    private final List<JobEvent> seen = new ArrayList<>();

    /**
     * @param context the test bundle's context, whose {@code penni.kafka.bootstrap.servers} names the broker
     */
    KafkaJobs(BundleContext context) {
        bootstrap = context.getProperty("penni.kafka.bootstrap.servers");
        producer = kafka(() -> new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer()));
        events = consumer("itest");
        events.subscribe(List.of(Topics.EVENTS));
    }

    /**
     * A consumer of its own group, reading from the beginning, committed records only.
     *
     * @param group the group's prefix
     * @return the consumer; the caller closes it
     */
    KafkaConsumer<String, byte[]> consumer(String group) {
        return kafka(() -> new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group + "-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"), new StringDeserializer(), new ByteArrayDeserializer()));
    }

    /**
     * Publishes a request, keyed by its job id.
     *
     * @param jobId the job's id
     * @param request the request JSON
     * @throws InterruptedException when interrupted
     * @throws ExecutionException when the broker did not take it
     */
    void submit(String jobId, String request) throws InterruptedException, ExecutionException {
        producer.send(new ProducerRecord<>(Topics.REQUESTS, jobId, request.getBytes(StandardCharsets.UTF_8))).get();
    }

    /**
     * Waits for an event.
     *
     * @param wanted which event
     * @param patience how long at most
     * @param what what is awaited, for the failure message
     * @return the first event seen that matches
     */
    JobEvent await(Predicate<JobEvent> wanted, Duration patience, String what) {
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

    /**
     * Waits for a job's event of a type, optionally of one stage.
     *
     * @param jobId the job
     * @param type the event type
     * @param stage the stage, or null for any
     * @param patience how long at most
     * @return the event
     */
    JobEvent await(String jobId, EventType type, String stage, Duration patience) {
        return await(e -> e.jobId().equals(jobId) && e.type() == type
                && (stage == null || stage.equals(e.stage().orElse(null))), patience,
                type + (stage == null ? "" : " of stage " + stage) + " of job " + jobId);
    }

    /**
     * Waits for a job to end: completed, failed or rejected.
     *
     * @param jobId the job
     * @param patience how long at most
     * @return the event that ended it
     */
    JobEvent awaitEnd(String jobId, Duration patience) {
        Set<EventType> ends = Set.of(EventType.JOB_COMPLETED, EventType.JOB_FAILED, EventType.JOB_REJECTED);
        return await(e -> e.jobId().equals(jobId) && ends.contains(e.type()), patience, "end of job " + jobId);
    }

    /**
     * @param jobId a job
     * @param type an event type
     * @return whether such an event has been seen so far (without reading more)
     */
    boolean seen(String jobId, EventType type) {
        return seen.stream().anyMatch(e -> e.jobId().equals(jobId) && e.type() == type);
    }

    /** @return every event seen so far, in order */
    List<JobEvent> seen() {
        return List.copyOf(seen);
    }

    /**
     * Reads the events that arrive within a time.
     *
     * @param time how long to read
     */
    void drain(Duration time) {
        for (ConsumerRecord<String, byte[]> r : events.poll(time)) {
            CloudEvents.read(r.headers(), r.value()).ifPresent(seen::add);
        }
    }

    @Override
    public void close() {
        producer.close();
        events.close();
    }

    /**
     * Kafka clients find their classes through the thread's context class loader: it must be theirs.
     *
     * @param <T> what is created
     * @param create creates a client
     * @return the client
     */
    static <T> T kafka(Supplier<T> create) {
        return io.penni.workflow.KafkaClassLoading.withKafkaLoader(create);
    }
}
