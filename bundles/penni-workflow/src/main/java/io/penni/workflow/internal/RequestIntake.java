package io.penni.workflow.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.api.event.EventType;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.JobStatus;
import io.penni.api.stage.StageNames;
import io.penni.pipeline.CompressionRequests;
import io.penni.pipeline.RequestOutcome;
import io.penni.workflow.StageTask;
import io.penni.workflow.Topics;
import io.penni.workflow.WorkflowJson;

/**
 * Turns requests into jobs. Every record of {@code penni.requests} is validated; an accepted request becomes a
 * job (an {@code accepted} event, the job's first state, its first stage task), a rejected one a {@code rejected}
 * event plus its original bytes and the reason in the DLQ. Each batch is one Kafka transaction together with the
 * consumed offsets, so a crash never loses a request and never makes one twice. While a pruning strategy is being
 * swapped (its service went away moments ago), a rejection waits for the swap to settle and the request is judged
 * again, so a request naming a strategy under update is not refused for nothing. A request naming a strategy is
 * also rejected when that strategy refuses its parameters, rather than failing hours later at pruning.
 */
final class RequestIntake implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RequestIntake.class);

    private final KafkaClients clients;
    private final String containerId;
    private final JobEvents events;
    private final RequestJudge judge;
    /** Whether a job id was submitted before (its first stage has a record): such a job is answered as resubmitted. */
    private final java.util.function.Predicate<String> submittedBefore;
    private final WorkflowMetrics metrics;
    private volatile boolean running = true;
    /** What the batch in progress answered, logged once its transaction committed (poll thread only). */
    private final List<String> answered = new java.util.ArrayList<>();
    private int rejectedInBatch;
    private volatile KafkaConsumer<String, byte[]> consumer;

    RequestIntake(KafkaClients clients, String containerId, JobEvents events, RequestJudge judge,
            java.util.function.Predicate<String> submittedBefore, WorkflowMetrics metrics) {
        this.clients = clients;
        this.containerId = containerId;
        this.events = events;
        this.judge = judge;
        this.submittedBefore = submittedBefore;
        this.metrics = metrics;
    }

    @Override
    public void run() {
        try (KafkaConsumer<String, byte[]> c = clients.consumer("penni-intake", containerId + "-intake");
                KafkaProducer<String, byte[]> producer = clients.transactionalProducer("penni-" + containerId + "-intake");
                WorkflowMetrics.Binding meters = metrics.kafkaConsumer(c, "intake")) {
            consumer = c;
            producer.initTransactions();
            c.subscribe(List.of(Topics.REQUESTS));
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                answered.clear();
                rejectedInBatch = 0;
                try {
                    producer.beginTransaction();
                    for (ConsumerRecord<String, byte[]> record : records) {
                        handleSafely(record, producer);
                        offsets.put(new TopicPartition(record.topic(), record.partition()),
                                new OffsetAndMetadata(record.offset() + 1));
                    }
                    producer.sendOffsetsToTransaction(offsets, c.groupMetadata());
                    producer.commitTransaction();
                    // said only now: a batch whose transaction aborts is read again and answered then, once
                    answered.forEach(LOG::info);
                    for (int i = 0; i < rejectedInBatch; i++) {
                        metrics.jobEnded("rejected");
                    }
                } catch (KafkaException e) {
                    LOG.warn("request batch not committed, it will be read again: {}", e.getMessage());
                    producer.abortTransaction();
                    rewind(c, records);
                }
            }
        } catch (WakeupException e) {
            // stopping
        }
        // anything else is thrown to the LoopSupervisor, which runs the intake again with fresh clients
    }

    /**
     * Handles one request; whatever goes wrong with it is its own rejection, never the intake's end: a request that
     * made the intake throw (before: an epoch count that overflowed, which stopped the intake for good and again
     * after every restart, since its offset was never committed) is answered, sent to the DLQ and committed.
     */
    private void handleSafely(ConsumerRecord<String, byte[]> record, KafkaProducer<String, byte[]> producer) {
        try {
            handle(record, producer);
        } catch (KafkaException e) {
            throw e; // the transaction's problem, not the request's: the batch is read again
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) { // NOPMD - a request must not be able to stop the intake
            LOG.error("request at {}/{}/{} could not be processed; it is rejected", record.topic(), record.partition(),
                    record.offset(), e);
            reject(record, new RequestOutcome.Rejected(answerKey(record, null),
                    List.of("the request could not be processed: " + e)), producer);
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record, KafkaProducer<String, byte[]> producer) {
        byte[] bytes = record.value() == null ? new byte[0] : record.value();
        RequestOutcome outcome = judge.judge(bytes, Optional.ofNullable(record.key()));
        if (outcome instanceof RequestOutcome.Accepted accepted) {
            CompressionRequest request = accepted.request();
            String first = StageNames.ALL.get(0);
            // the request as accepted: a recipe's fields merged in, so every stage reads the same settings
            StageTask task = new StageTask(request.jobId(), accepted.document(), StageNames.ALL, 0, Map.of(),
                    origin(record));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("plan", StageNames.ALL);
            data.put("model", request.model().toString());
            data.put("dataset", request.dataset().format() + ":" + request.dataset().path());
            request.recipe().ifPresent(r -> data.put("recipe", r.toString()));
            boolean again = submittedBefore.test(request.jobId());
            String note = again ? "accepted again: job " + request.jobId() + " was submitted before, and the stages it "
                    + "completed then are reused, not run again, where their settings, inputs and model file are the same"
                    : "accepted";
            if (again) {
                data.put("resubmitted", true);
                data.put("note", note);
            }
            producer.send(events.event(EventType.JOB_ACCEPTED, request.jobId(), Optional.empty(), data));
            producer.send(JobEvents.state(JobEvents.state(request.jobId(), JobStatus.QUEUED, Optional.of(first),
                    List.of(), note + "; waiting for the " + first + " stage", Map.of())));
            producer.send(new ProducerRecord<>(Topics.stage(first), request.jobId(), WorkflowJson.write(task)));
            answered.add("job " + request.jobId() + (again ? " accepted again (submitted before)" : " accepted"));
        } else {
            reject(record, (RequestOutcome.Rejected) outcome, producer);
        }
    }

    private void reject(ConsumerRecord<String, byte[]> record, RequestOutcome.Rejected rejected,
            KafkaProducer<String, byte[]> producer) {
        byte[] bytes = record.value() == null ? new byte[0] : record.value();
        String jobId = answerKey(record, rejected.jobId());
        RequestJudge.rejection(events, record.key(), jobId, bytes, origin(record), rejected).forEach(producer::send);
        rejectedInBatch++;
        answered.add("request " + jobId + " rejected: " + rejected.summary());
    }

    private static String origin(ConsumerRecord<String, byte[]> record) {
        return record.topic() + "/" + record.partition() + "/" + record.offset();
    }

    /** The key a rejection of this record is answered under (see {@link RequestJudge#answerKey}). */
    static String answerKey(ConsumerRecord<String, byte[]> record, String requested) {
        return RequestJudge.answerKey(record.key(), requested, "request-" + record.partition() + "-" + record.offset());
    }

    private static void rewind(KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
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
