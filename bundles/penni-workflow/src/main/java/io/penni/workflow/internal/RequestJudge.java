package io.penni.workflow.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.ProducerRecord;

import io.penni.api.event.EventType;
import io.penni.api.job.JobStatus;
import io.penni.pipeline.CompressionRequests;
import io.penni.pipeline.RequestEnvironment;
import io.penni.pipeline.RequestOutcome;
import io.penni.workflow.Topics;

/**
 * How a request is judged and how a bad one is answered, the same for every way a request arrives (the
 * {@code penni.requests} topic, the dashboard's HTTP API). Judging: {@link CompressionRequests#parse}, again once a
 * strategy swap in progress has settled, then the named strategy's own parameter check. Answering a bad one: a
 * {@code job.rejected} event, the REJECTED state and the original bytes with the reason in the DLQ.
 */
final class RequestJudge {

    private final Supplier<RequestEnvironment> environment;
    private final RegisteredStrategies strategies;

    RequestJudge(Supplier<RequestEnvironment> environment, RegisteredStrategies strategies) {
        this.environment = environment;
        this.strategies = strategies;
    }

    /**
     * @param bytes the request as received
     * @param key the job id it was submitted under, if any
     * @return the request with its defaults, or every reason it is unusable
     */
    RequestOutcome judge(byte[] bytes, Optional<String> key) {
        RequestOutcome outcome = CompressionRequests.parse(bytes, key, environment.get());
        if (outcome instanceof RequestOutcome.Rejected && awaitStrategySwaps()) {
            // a strategy was being updated: judge the request again against what is registered now
            outcome = CompressionRequests.parse(bytes, key, environment.get());
        }
        return CompressionRequests.withStrategyParameters(outcome, strategies::checkParameters);
    }

    /**
     * The records that answer a rejected request.
     *
     * @param events the event builder
     * @param key the key the request arrived under (null: none), kept on its DLQ record
     * @param jobId the key the rejection is answered under (see {@link #answerKey})
     * @param bytes the request's original bytes
     * @param origin where it came from, for the DLQ's origin header
     * @param rejected why
     * @return the event, the job state and the DLQ record, in that order
     */
    static List<ProducerRecord<String, byte[]>> rejection(JobEvents events, String key, String jobId, byte[] bytes,
            String origin, RequestOutcome.Rejected rejected) {
        ProducerRecord<String, byte[]> dlq = new ProducerRecord<>(Topics.REQUESTS_DLQ, key, bytes);
        dlq.headers().add(Topics.DLQ_REASON_HEADER, rejected.summary().getBytes(StandardCharsets.UTF_8));
        dlq.headers().add(Topics.DLQ_ORIGIN_HEADER, origin.getBytes(StandardCharsets.UTF_8));
        dlq.headers().add(Topics.DLQ_JOB_HEADER, jobId.getBytes(StandardCharsets.UTF_8));
        return List.of(events.event(EventType.JOB_REJECTED, jobId, Optional.empty(), Map.of("reasons", rejected.reasons())),
                JobEvents.state(JobEvents.state(jobId, JobStatus.REJECTED, Optional.empty(), List.of(),
                        rejected.summary(), Map.of())),
                dlq);
    }

    /**
     * The key a rejection is answered under: the key the request arrived under, which is what its sender follows;
     * else the job id the request named when it is a usable id; else the fallback (an unusable id, megabytes long
     * say, must not become a key of the job table).
     *
     * @param key the arrival key, or null
     * @param requested the job id the request named, or null
     * @param fallback a key made from where the request came from
     * @return the key
     */
    static String answerKey(String key, String requested, String fallback) {
        if (key != null && !key.isBlank()) {
            return key;
        }
        return CompressionRequests.isJobId(requested) ? requested : fallback;
    }

    private boolean awaitStrategySwaps() {
        try {
            return strategies.awaitSwaps();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
