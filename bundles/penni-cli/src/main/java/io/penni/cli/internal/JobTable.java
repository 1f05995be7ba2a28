package io.penni.cli.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.penni.api.job.JobState;
import io.penni.api.job.JobStatus;
import io.penni.workflow.Topics;
import io.penni.workflow.WorkflowJson;

/**
 * The job table as it stands: {@code penni.jobs} read from its beginning to its end, the latest state of each job
 * winning (the topic is compacted, so this is what Kafka itself keeps), a tombstone removing a job.
 *
 * @param jobs the latest state of each job, by id
 * @param unreadable how many records were not job states (skipped)
 */
public record JobTable(Map<String, JobState> jobs, int unreadable) {

    /** Longest the CLI waits for the table to be read to its end. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** How long a transaction written before the read may take to resolve before the read goes on without it. */
    private static final Duration RESOLVE_PATIENCE = Duration.ofSeconds(5);

    /** Copies the map. */
    public JobTable {
        jobs = Map.copyOf(jobs);
    }

    /**
     * Reads the table.
     *
     * @param session the connection
     * @return the table
     * @throws CliException when it cannot be read to its end in time
     */
    public static JobTable read(KafkaSession session) {
        Map<String, JobState> jobs = new LinkedHashMap<>();
        int unreadable = 0;
        try (KafkaConsumer<String, byte[]> consumer = session.consumer()) {
            List<TopicPartition> partitions = KafkaSession.assignAll(consumer, Topics.JOBS);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = committedEnd(session, consumer, partitions);
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (!KafkaSession.reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new CliException("could not read " + Topics.JOBS + " to its end within "
                            + PATIENCE.toSeconds() + " s from Kafka at " + session.target().bootstrap(),
                            CliException.FAILED);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        jobs.remove(r.key());
                        continue;
                    }
                    try {
                        JobState state = WorkflowJson.readState(r.value());
                        jobs.put(state.jobId(), state);
                    } catch (IOException e) {
                        unreadable++;
                    }
                }
            }
        }
        return new JobTable(jobs, unreadable);
    }

    /**
     * Where reading the table ends: the committed end of each partition once every transaction already written when
     * the command started has resolved. A stage hands a job on with its new state and its events in one transaction,
     * and the broker marks a transaction committed partition by partition after the commit returns: without waiting,
     * a status read right after {@code job.completed} was seen could miss the completed state. A transaction still
     * open after {@link #RESOLVE_PATIENCE} (a crashed writer's, until the broker times it out) is not waited for.
     */
    private static Map<TopicPartition, Long> committedEnd(KafkaSession session, KafkaConsumer<String, byte[]> consumer,
            List<TopicPartition> partitions) {
        Map<TopicPartition, Long> written = session.writtenEnd(partitions);
        long deadline = System.nanoTime() + RESOLVE_PATIENCE.toNanos();
        while (true) {
            Map<TopicPartition, Long> committed = consumer.endOffsets(partitions);
            boolean resolved = committed.entrySet().stream().allMatch(e -> e.getValue() >= written.get(e.getKey()));
            if (resolved || System.nanoTime() > deadline) {
                return committed;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return committed;
            }
        }
    }

    /**
     * @param jobId a job id
     * @return its latest state, if the table has it
     */
    public Optional<JobState> job(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    /**
     * @param jobId a job id
     * @param command the command asking, for the message
     * @return its latest state
     * @throws CliException when the table does not have it
     */
    public JobState require(String jobId, String command) {
        return job(jobId).orElseThrow(() -> new CliException(command + ": no job '" + jobId + "' in " + Topics.JOBS
                + " (" + jobs.size() + (jobs.size() == 1 ? " job" : " jobs") + " known; bin/penni status lists them)",
                CliException.FAILED));
    }

    /**
     * A job that must have completed, e.g. for copying its files.
     *
     * @param jobId the job
     * @param command the command asking, for messages
     * @return its state
     * @throws CliException when the job is unknown or has not completed (saying how to wait for it, or why it failed)
     */
    public JobState requireCompleted(String jobId, String command) {
        JobState job = require(jobId, command);
        if (job.status() != JobStatus.COMPLETED) {
            throw new CliException(command + ": job " + jobId + " is " + job.status().name().toLowerCase(Locale.ROOT)
                    + ", not completed; " + (job.status().isFinal() ? job.message()
                    : "bin/penni follow " + jobId + " waits for it"), CliException.FAILED);
        }
        return job;
    }

    /** @return every job, the most recently updated last */
    public List<JobState> byUpdate() {
        return jobs.values().stream().sorted(Comparator.comparing(JobState::updated).thenComparing(JobState::jobId))
                .toList();
    }
}
