package io.penni.cli.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.penni.api.event.JobEvent;
import io.penni.workflow.CloudEvents;
import io.penni.workflow.Topics;

/**
 * One job's events as they arrive on {@code penni.events}, read from a starting point (the topic's beginning, or
 * the offsets just before a request was submitted) with committed records only. Every partition is read, so the
 * feed does not depend on how the server partitions; records of other jobs and records that are not PENNI
 * CloudEvents are skipped.
 */
public final class JobEventFeed implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final String jobId;
    private final Map<TopicPartition, Long> endAtStart;

    private JobEventFeed(KafkaConsumer<String, byte[]> consumer, String jobId, Map<TopicPartition, Long> endAtStart) {
        this.consumer = consumer;
        this.jobId = jobId;
        this.endAtStart = endAtStart;
    }

    /**
     * Reads a job's events from the topic's beginning.
     *
     * @param session the connection
     * @param jobId the job
     * @return the feed
     */
    public static JobEventFeed fromBeginning(KafkaSession session, String jobId) {
        KafkaConsumer<String, byte[]> consumer = session.consumer();
        List<TopicPartition> partitions = KafkaSession.assignAll(consumer, Topics.EVENTS);
        consumer.seekToBeginning(partitions);
        return new JobEventFeed(consumer, jobId, consumer.endOffsets(partitions));
    }

    /**
     * Reads a job's events from given offsets on.
     *
     * @param session the connection
     * @param jobId the job
     * @param offsets where to start in each partition, as {@link #endOffsets} gave them
     * @return the feed
     */
    public static JobEventFeed from(KafkaSession session, String jobId, Map<TopicPartition, Long> offsets) {
        KafkaConsumer<String, byte[]> consumer = session.consumer();
        List<TopicPartition> partitions = KafkaSession.assignAll(consumer, Topics.EVENTS);
        for (TopicPartition tp : partitions) {
            Long offset = offsets.get(tp);
            if (offset == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, offset);
            }
        }
        return new JobEventFeed(consumer, jobId, consumer.endOffsets(partitions));
    }

    /**
     * Where {@code penni.events} ends now: a request submitted after this is followed from here, so an earlier
     * job of the same id is not mistaken for it.
     *
     * @param session the connection
     * @return the end offset of every partition
     */
    public static Map<TopicPartition, Long> endOffsets(KafkaSession session) {
        try (KafkaConsumer<String, byte[]> consumer = session.consumer()) {
            List<TopicPartition> partitions = KafkaSession.assignAll(consumer, Topics.EVENTS);
            return Map.copyOf(consumer.endOffsets(partitions));
        }
    }

    /**
     * @param wait how long to wait for records
     * @return the job's events that arrived, in order (within a partition, which holds all of one job's events)
     */
    public List<JobEvent> poll(Duration wait) {
        List<JobEvent> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
            if (jobId.equals(r.key())) {
                CloudEvents.read(r.headers(), r.value()).filter(e -> e.jobId().equals(jobId)).ifPresent(events::add);
            }
        }
        return events;
    }

    /** @return whether everything that was on the topic when the feed opened has been read */
    public boolean caughtUp() {
        return KafkaSession.reached(consumer, endAtStart);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
