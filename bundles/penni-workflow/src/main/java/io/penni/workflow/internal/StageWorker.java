package io.penni.workflow.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.workflow.StageTask;
import io.penni.workflow.Topics;

/**
 * Runs the stages present in this container. One consumer in group {@code penni-stages} reads the topics of those
 * stages; a task runs on a worker thread while its partition is paused and the consumer keeps polling, so the
 * container stays in its group through hours of training. When the task ends, its results (events, the job's next
 * task or its completion, the job state) are produced in one Kafka transaction with the consumed offset, so a
 * crash before that point makes the task come back (and resume from its checkpoints) and a crash after it cannot
 * repeat it. At most {@code trainingSlots} training stages and {@code otherSlots} other stages run at once; a task
 * that finds no free slot waits, visibly queued, with its partition paused.
 */
final class StageWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(StageWorker.class);

    /**
     * What a finished task hands back to the poll thread.
     *
     * @param task the task; empty for a record that could not be read (its result goes to the DLQ)
     */
    private record Completion(TopicPartition partition, long offset, Optional<StageTask> task,
            StageTaskRunner.Result result) {
    }

    /** A task running on a worker thread. */
    private record Running(StageTask task, long offset, boolean training, AtomicBoolean cancelled) {
    }

    private final KafkaClients clients;
    private final String containerId;
    private final StageTaskRunner runner;
    private final Map<String, StageBinding> stages = new ConcurrentHashMap<>();
    private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private volatile ExecutorService workers;
    private final int trainingSlots;
    private final int otherSlots;
    private final int maxAttempts;
    private final long retryBackoffMillis;

    // poll-thread state
    private final Map<TopicPartition, Running> running = new ConcurrentHashMap<>();
    private final Set<TopicPartition> waiting = new HashSet<>();
    private final Set<String> queuedAnnounced = new HashSet<>();
    private final Map<String, Integer> attempts = new HashMap<>();
    private final Map<TopicPartition, Long> retryAt = new HashMap<>();
    private volatile boolean active = true;
    private volatile boolean subscriptionChanged = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private int trainingBusy;
    private int otherBusy;

    StageWorker(KafkaClients clients, String containerId, StageTaskRunner runner, int trainingSlots, int otherSlots,
            int maxAttempts, long retryBackoffMillis) {
        this.clients = clients;
        this.containerId = containerId;
        this.runner = runner;
        this.trainingSlots = trainingSlots;
        this.otherSlots = otherSlots;
        this.maxAttempts = Math.max(1, maxAttempts);
        this.retryBackoffMillis = Math.max(0, retryBackoffMillis);
    }

    void bind(StageBinding binding) {
        stages.put(binding.name(), binding);
        subscriptionChanged = true;
        wakeup();
    }

    void unbind(String name) {
        stages.remove(name);
        subscriptionChanged = true;
        wakeup();
    }

    /**
     * Runs the poll loop until {@link #stop()}. It returns normally when asked to stop or when another container took
     * over this one's transactional id (it must not come back then); anything else it throws, and the
     * {@link LoopSupervisor} runs it again with fresh clients: tasks that were running are cancelled and come back
     * from their partitions' committed offsets.
     */
    @Override
    public void run() {
        reset();
        try (KafkaConsumer<String, byte[]> c = clients.consumer("penni-stages", containerId + "-stages");
                KafkaProducer<String, byte[]> producer = clients.transactionalProducer("penni-" + containerId + "-stages");
                WorkflowMetrics.Binding meters = runner.metrics().kafkaConsumer(c, "stages")) {
            consumer = c;
            producer.initTransactions();
            while (active) {
                if (subscriptionChanged) {
                    subscriptionChanged = false;
                    List<String> topics = stages.keySet().stream().map(Topics::stage).sorted().toList();
                    if (topics.isEmpty()) {
                        c.unsubscribe();
                    } else {
                        c.subscribe(topics, new Revocations());
                    }
                    LOG.info("stage worker reads {}", topics);
                }
                if (c.subscription().isEmpty()) {
                    Thread.sleep(200);
                    continue;
                }
                try {
                    take(c.poll(Duration.ofMillis(200)));
                } catch (WakeupException e) {
                    // a subscription change or stop; loop
                }
                finish(producer);
                resumeRetries();
            }
        } catch (ProducerFencedException e) {
            LOG.error("another container with id {} took over this one's transactions; this worker stops", containerId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdownWorkers();
        }
    }

    /** Forgets what an earlier run of the loop held: its clients, and with them its partitions, are gone. */
    private void reset() {
        running.clear();
        waiting.clear();
        queuedAnnounced.clear();
        attempts.clear();
        retryAt.clear();
        completions.clear();
        trainingBusy = 0;
        otherBusy = 0;
        subscriptionChanged = true;
        workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "penni-stage");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the first waiting record of every free partition; the rest are fetched again later. */
    private void take(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> list = records.records(tp);
            ConsumerRecord<String, byte[]> record = list.get(0);
            if (running.containsKey(tp)) {
                consumer.seek(tp, record.offset());
                continue;
            }
            StageTaskRunner.Job job;
            try {
                job = StageTaskRunner.read(record.value());
            } catch (java.io.IOException | RuntimeException e) {
                // committed with its offset like any finished task, so it is answered once and never blocks the topic
                LOG.error("the task at {}/{} cannot be read; it goes to {}: {}", tp, record.offset(), Topics.STAGE_DLQ,
                        e.getMessage());
                consumer.seek(tp, record.offset() + 1);
                consumer.pause(List.of(tp));
                completions.add(new Completion(tp, record.offset(), Optional.empty(),
                        runner.poison(record, String.valueOf(e.getMessage()))));
                continue;
            }
            StageTask task = job.task();
            StageBinding binding = stages.get(Topics.stageOf(tp.topic()));
            if (binding == null || !freeSlot(binding.training())) {
                consumer.seek(tp, record.offset());
                consumer.pause(List.of(tp));
                waiting.add(tp);
                if (binding != null && queuedAnnounced.add(task.jobId() + "/" + task.stage())) {
                    runner.queued(task, binding.training() ? "waiting for a free training slot ("
                            + trainingSlots + " in this container)" : "waiting for a free stage slot");
                }
                continue;
            }
            consumer.seek(tp, record.offset() + 1);
            consumer.pause(List.of(tp));
            occupy(binding.training(), +1);
            AtomicBoolean cancelled = new AtomicBoolean();
            running.put(tp, new Running(task, record.offset(), binding.training(), cancelled));
            int attempt = attempts.merge(key(tp, record.offset()), 1, Integer::sum);
            workers.submit(() -> {
                StageTaskRunner.Result result;
                try {
                    result = runner.run(job, binding, attempt, () -> cancelled.get() || !active);
                } catch (RuntimeException | LinkageError | AssertionError e) { // NOPMD - the runner's own bugs
                    // never lose a completion: the slot and the partition would stay taken for good
                    LOG.error("job {} stage {} crashed", task.jobId(), task.stage(), e);
                    result = runner.crashed(task, e);
                }
                completions.add(new Completion(tp, record.offset(), Optional.of(task), result));
                wakeup();
            });
        }
    }

    /** Publishes what finished tasks produced, each in one transaction with its offset. */
    private void finish(KafkaProducer<String, byte[]> producer) {
        List<Completion> done = new ArrayList<>();
        completions.drainTo(done);
        for (Completion completion : done) {
            StageTaskRunner.Result result = completion.result();
            if (completion.task().isPresent()) {
                StageTask task = completion.task().get();
                Running r = running.remove(completion.partition());
                if (r == null) {
                    continue; // its partition was revoked: the new owner runs it (and finds the stage's record)
                }
                occupy(r.training(), -1);
                queuedAnnounced.remove(task.jobId() + "/" + task.stage());
                if (result.retryable()) {
                    if (!active) {
                        continue; // shutting down: not committed, the task comes back after the restart
                    }
                    int tried = attempts.getOrDefault(key(completion.partition(), completion.offset()), 0);
                    if (tried < maxAttempts) {
                        LOG.warn("job {} stage {} failed ({}); attempt {} of {}, trying again", task.jobId(),
                                task.stage(), result.reason(), tried, maxAttempts);
                        runner.retrying(task, tried, maxAttempts, result.reason());
                        consumer.seek(completion.partition(), completion.offset());
                        // stays paused until its back-off has passed
                        retryAt.put(completion.partition(), System.nanoTime() + retryBackoffMillis * 1_000_000L
                                * (1L << Math.min(tried - 1, 6)));
                        continue;
                    }
                    LOG.error("job {} stage {} failed {} times; the job fails: {}", task.jobId(), task.stage(), tried,
                            result.reason());
                    result = runner.exhausted(task, tried, result.reason());
                }
            }
            try {
                producer.beginTransaction();
                result.records().forEach(producer::send);
                producer.sendOffsetsToTransaction(Map.of(completion.partition(),
                        new OffsetAndMetadata(completion.offset() + 1)), consumer.groupMetadata());
                producer.commitTransaction();
                attempts.remove(key(completion.partition(), completion.offset()));
                runner.committed(completion.task(), result);
            } catch (ProducerFencedException e) {
                throw e;
            } catch (KafkaException e) {
                LOG.warn("the results of the task at {}/{} were not committed ({}); the task is read again",
                        completion.partition(), completion.offset(), e.getMessage());
                producer.abortTransaction();
                if (consumer.assignment().contains(completion.partition())) {
                    consumer.seek(completion.partition(), completion.offset());
                }
            }
            if (consumer.assignment().contains(completion.partition())) {
                consumer.resume(List.of(completion.partition()));
            }
        }
        if (!done.isEmpty() && !waiting.isEmpty()) {
            waiting.removeAll(retryAt.keySet());
            consumer.resume(waiting); // records are fetched again and take a free slot, or wait again
            waiting.clear();
        }
    }

    /** Resumes the partitions of failed tasks whose back-off has passed, so they are fetched and run again. */
    private void resumeRetries() {
        if (retryAt.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        List<TopicPartition> due = new ArrayList<>();
        retryAt.forEach((tp, at) -> {
            if (now - at >= 0) {
                due.add(tp);
            }
        });
        due.forEach(retryAt::remove);
        due.retainAll(consumer.assignment());
        consumer.resume(due);
    }

    private boolean freeSlot(boolean training) {
        return training ? trainingBusy < trainingSlots : otherBusy < otherSlots;
    }

    private void occupy(boolean training, int delta) {
        if (training) {
            trainingBusy += delta;
        } else {
            otherBusy += delta;
        }
    }

    private static String key(TopicPartition tp, long offset) {
        return tp + "@" + offset;
    }

    private void wakeup() {
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Partitions leaving this container: their running tasks stop (the new owner resumes them). */
    private final class Revocations implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                Running r = running.remove(tp);
                if (r != null) {
                    r.cancelled().set(true);
                    occupy(r.training(), -1);
                    LOG.info("job {} stage {} moves to another container", r.task().jobId(), r.task().stage());
                }
                waiting.remove(tp);
                retryAt.remove(tp);
                attempts.keySet().removeIf(k -> k.startsWith(tp + "@"));
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // cooperative rebalancing: partitions kept are not revoked; new ones start from their committed offset
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }

    /** @return tasks running now, by job id and stage (for tests and status) */
    Map<String, String> runningTasks() {
        Map<String, String> out = new LinkedHashMap<>();
        new ArrayList<>(running.values()).forEach(r -> out.put(r.task().jobId(), r.task().stage()));
        return out;
    }

    void stop() {
        active = false;
        wakeup();
    }

    private void shutdownWorkers() {
        running.values().forEach(r -> r.cancelled().set(true));
        workers.shutdown();
        try {
            if (!workers.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("stage threads did not stop within 60 s");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Optional<String> describe() {
        return Optional.of("training " + trainingBusy + "/" + trainingSlots + ", other " + otherBusy + "/" + otherSlots);
    }
}
