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
import io.penni.workflow.WorkflowJson;

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

    /** What a finished task hands back to the poll thread. */
    private record Completion(TopicPartition partition, long offset, StageTask task, StageTaskRunner.Result result) {
    }

    /** A task running on a worker thread. */
    private record Running(StageTask task, long offset, boolean training, AtomicBoolean cancelled) {
    }

    private final KafkaClients clients;
    private final String containerId;
    private final StageTaskRunner runner;
    private final Map<String, StageBinding> stages = new ConcurrentHashMap<>();
    private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "penni-stage");
        t.setDaemon(true);
        return t;
    });
    private final int trainingSlots;
    private final int otherSlots;
    private final int maxAttempts;

    // poll-thread state
    private final Map<TopicPartition, Running> running = new ConcurrentHashMap<>();
    private final Set<TopicPartition> waiting = new HashSet<>();
    private final Set<String> queuedAnnounced = new HashSet<>();
    private final Map<String, Integer> attempts = new HashMap<>();
    private volatile boolean active = true;
    private volatile boolean subscriptionChanged = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private int trainingBusy;
    private int otherBusy;

    StageWorker(KafkaClients clients, String containerId, StageTaskRunner runner, int trainingSlots, int otherSlots,
            int maxAttempts) {
        this.clients = clients;
        this.containerId = containerId;
        this.runner = runner;
        this.trainingSlots = trainingSlots;
        this.otherSlots = otherSlots;
        this.maxAttempts = maxAttempts;
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

    @Override
    public void run() {
        try (KafkaConsumer<String, byte[]> c = clients.consumer("penni-stages", containerId + "-stages");
                KafkaProducer<String, byte[]> producer = clients.transactionalProducer("penni-" + containerId + "-stages")) {
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
            }
        } catch (ProducerFencedException e) {
            LOG.error("another container with id {} took over this one's transactions; this worker stops", containerId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("the stage worker stopped", e);
        } finally {
            shutdownWorkers();
        }
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
            StageTask task;
            try {
                task = WorkflowJson.readTask(record.value());
            } catch (java.io.IOException e) {
                LOG.error("skipping an unreadable task at {}/{}: {}", tp, record.offset(), e.getMessage());
                consumer.seek(tp, record.offset() + 1);
                continue;
            }
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
                    result = runner.run(task, binding, attempt, () -> cancelled.get() || !active);
                } catch (RuntimeException | LinkageError | AssertionError e) {
                    // never lose a completion: the slot and the partition would stay taken for good
                    LOG.error("job {} stage {} crashed", task.jobId(), task.stage(), e);
                    result = runner.crashed(task, e);
                }
                completions.add(new Completion(tp, record.offset(), task, result));
                wakeup();
            });
        }
    }

    /** Publishes what finished tasks produced, each in one transaction with its offset. */
    private void finish(KafkaProducer<String, byte[]> producer) {
        List<Completion> done = new ArrayList<>();
        completions.drainTo(done);
        for (Completion completion : done) {
            Running r = running.remove(completion.partition());
            if (r == null) {
                continue; // its partition was revoked: the new owner runs it (and finds the stage's record)
            }
            occupy(r.training(), -1);
            queuedAnnounced.remove(completion.task().jobId() + "/" + completion.task().stage());
            StageTaskRunner.Result result = completion.result();
            boolean retry = result.retryable() && active
                    && attempts.getOrDefault(key(completion.partition(), completion.offset()), 0) < maxAttempts;
            if (!active && result.retryable()) {
                continue; // shutting down: not committed, the task comes back after the restart
            }
            if (retry) {
                LOG.warn("job {} stage {} failed ({}); trying again", completion.task().jobId(),
                        completion.task().stage(), result.reason());
                consumer.seek(completion.partition(), completion.offset());
                consumer.resume(List.of(completion.partition()));
                continue;
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
                LOG.warn("job {} stage {}: results not committed ({}); the task runs again", completion.task().jobId(),
                        completion.task().stage(), e.getMessage());
                producer.abortTransaction();
                consumer.seek(completion.partition(), completion.offset());
            }
            consumer.resume(List.of(completion.partition()));
        }
        if (!done.isEmpty() && !waiting.isEmpty()) {
            consumer.resume(waiting); // records are fetched again and take a free slot, or wait again
            waiting.clear();
        }
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
