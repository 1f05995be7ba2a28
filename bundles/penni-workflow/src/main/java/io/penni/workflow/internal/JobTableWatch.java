package io.penni.workflow.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.api.job.JobStatus;
import io.penni.workflow.Topics;
import io.penni.workflow.WorkflowJson;

/**
 * Reads the job table ({@link Topics#JOBS}) from its start and keeps each job's latest status, so the metrics can
 * say how many jobs are queued and running over every container, not only this one's. It owns no consumer group
 * (every partition is assigned) and commits nothing, as the CLI's readers do.
 */
final class JobTableWatch implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(JobTableWatch.class);

    private final KafkaClients clients;
    private final WorkflowMetrics metrics;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

    JobTableWatch(KafkaClients clients, WorkflowMetrics metrics) {
        this.clients = clients;
        this.metrics = metrics;
    }

    @Override
    public void run() {
        try (KafkaConsumer<String, byte[]> c = clients.reader()) {
            consumer = c;
            List<TopicPartition> partitions = c.partitionsFor(Topics.JOBS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<String, JobStatus> latest = new HashMap<>();
            while (running) {
                var records = c.poll(Duration.ofSeconds(1));
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (record.key() == null) {
                        continue;
                    }
                    if (record.value() == null) {
                        latest.remove(record.key()); // a tombstone: the job left the table
                        continue;
                    }
                    try {
                        latest.put(record.key(), WorkflowJson.readState(record.value()).status());
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("job table: the state of job {} at {}/{}/{} cannot be read ({}); not counted",
                                record.key(), record.topic(), record.partition(), record.offset(), e.getMessage());
                    }
                }
                if (!records.isEmpty()) {
                    Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
                    latest.values().forEach(s -> counts.merge(s, 1L, Long::sum));
                    metrics.jobTable(counts);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        }
    }

    void stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
