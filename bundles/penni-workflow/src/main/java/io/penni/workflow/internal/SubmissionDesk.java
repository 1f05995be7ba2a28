package io.penni.workflow.internal;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.api.intake.JobSubmissions;
import io.penni.api.intake.SubmissionResult;
import io.penni.pipeline.RequestOutcome;
import io.penni.workflow.Topics;

/**
 * Requests that arrive other than by Kafka (the dashboard's HTTP API). Each is judged by the intake's own
 * {@link RequestJudge} before anything is published: a usable one goes to {@code penni.requests} under its job id,
 * where the intake takes it like any other; an unusable one gets the intake's answer (rejected event, REJECTED
 * state, DLQ record) in one transaction. Sends are serialised on one transactional producer, made on first use.
 */
final class SubmissionDesk implements JobSubmissions, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SubmissionDesk.class);
    /** How long a submission may wait for the broker before the caller is told it is unavailable. */
    private static final int BLOCK_MILLIS = 10_000;

    private final KafkaClients clients;
    private final String transactionalId;
    private final JobEvents events;
    private final RequestJudge judge;
    private final WorkflowMetrics metrics;
    private KafkaProducer<String, byte[]> producer;
    private volatile Optional<String> problem = Optional.empty();

    SubmissionDesk(KafkaClients clients, String containerId, JobEvents events, RequestJudge judge,
            WorkflowMetrics metrics) {
        this.clients = clients;
        this.transactionalId = "penni-" + containerId + "-submissions";
        this.events = events;
        this.judge = judge;
        this.metrics = metrics;
    }

    @Override
    public SubmissionResult submit(byte[] request, String origin) {
        RequestOutcome outcome = judge.judge(request, Optional.empty());
        if (outcome instanceof RequestOutcome.Accepted accepted) {
            String jobId = accepted.request().jobId();
            Optional<String> failed = publish(producer -> producer.send(
                    new ProducerRecord<>(Topics.REQUESTS, jobId, request)));
            return failed.<SubmissionResult>map(f -> new SubmissionResult.Unavailable(jobId, f))
                    .orElseGet(() -> new SubmissionResult.Submitted(jobId));
        }
        RequestOutcome.Rejected rejected = (RequestOutcome.Rejected) outcome;
        String jobId = RequestJudge.answerKey(null, rejected.jobId(),
                "request-" + UUID.randomUUID().toString().substring(0, 8));
        Optional<String> failed = publish(producer -> RequestJudge
                .rejection(events, null, jobId, request, origin, rejected).forEach(producer::send));
        if (failed.isPresent()) {
            return new SubmissionResult.Unavailable(jobId, failed.get());
        }
        metrics.jobEnded("rejected");
        LOG.info("request {} ({}) rejected: {}", jobId, origin, rejected.summary());
        return new SubmissionResult.Refused(jobId, rejected.reasons());
    }

    @Override
    public Optional<String> notReady() {
        return problem;
    }

    /** Sends in one transaction; a failure is returned as its reason, and the producer made again next time. */
    private synchronized Optional<String> publish(java.util.function.Consumer<KafkaProducer<String, byte[]>> sends) {
        try {
            if (producer == null) {
                producer = clients.transactionalProducer(transactionalId,
                        Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, BLOCK_MILLIS,
                                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, BLOCK_MILLIS,
                                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, BLOCK_MILLIS / 2));
                producer.initTransactions();
            }
            producer.beginTransaction();
            sends.accept(producer);
            producer.commitTransaction();
            problem = Optional.empty();
            return Optional.empty();
        } catch (KafkaException e) {
            String why = "the broker did not take the request: " + e.getMessage();
            LOG.warn("submission not published: {}", why);
            problem = Optional.of(why);
            discard(!(e instanceof ProducerFencedException));
            return Optional.of(why);
        }
    }

    private void discard(boolean abort) {
        if (producer == null) {
            return;
        }
        try {
            if (abort) {
                producer.abortTransaction();
            }
        } catch (KafkaException | IllegalStateException e) {
            // the producer is given up below anyway
        }
        producer.close(java.time.Duration.ofSeconds(1));
        producer = null;
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
            producer = null;
        }
    }
}
