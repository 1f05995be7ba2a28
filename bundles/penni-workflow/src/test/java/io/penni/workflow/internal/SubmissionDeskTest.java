package io.penni.workflow.internal;

import static io.penni.workflow.internal.WorkflowHarness.count;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.penni.api.intake.SubmissionResult;
import io.penni.pipeline.RequestEnvironment;
import io.penni.workflow.Topics;

/**
 * Requests handed in other than by Kafka, through a real broker: judged as the intake judges them; a usable one is
 * put on penni.requests under its job id and the intake runs it; an unusable one is answered as the intake answers
 * one, with nothing on penni.requests.
 */
@Timeout(180)
class SubmissionDeskTest extends RealBrokerTest {

    private RequestEnvironment environment;

    @BeforeEach
    void setUp() {
        environment = new RequestEnvironment(Path.of("/usr/share/datasets"), folder.resolve("models"),
                Set.of("vgg-small"), Set.of(), Set.of("cpu"));
    }

    @Test
    void aUsableRequestGoesToTheRequestsTopicUnderItsJobIdAndTheIntakeAcceptsIt() throws Exception {
        kafka.startIntake(() -> environment);
        byte[] request = WorkflowHarness.REQUEST.replaceFirst("\\{", "{\"jobId\": \"desk-ok\",")
                .getBytes(StandardCharsets.UTF_8);
        try (SubmissionDesk desk = kafka.desk(() -> environment)) {
            SubmissionResult result = desk.submit(request, "http 127.0.0.1");
            assertEquals(new SubmissionResult.Submitted("desk-ok"), result);
        }
        List<ConsumerRecord<String, byte[]>> requests = kafka.read(Topics.REQUESTS, r -> !r.isEmpty());
        assertEquals(1, requests.size());
        assertEquals("desk-ok", requests.get(0).key());
        assertArrayEquals(request, requests.get(0).value());
        assertEquals(1, count(kafka.events("desk-ok", e -> count(e, "io.penni.job.accepted") == 1),
                "io.penni.job.accepted"));
        assertTrue(kafka.readAll(Topics.REQUESTS_DLQ).isEmpty(), "nothing in the DLQ");
    }

    @Test
    void anUnusableRequestIsRejectedWithEveryReasonAnEventAndADlqRecordAndNothingOnTheRequestsTopic()
            throws Exception {
        byte[] request = ("{\"jobId\": \"desk-bad\", \"model\": {\"architecture\": \"no-such-net\"},"
                + "\"dataset\": {\"format\": \"fashion-mnist\", \"path\": \"fashion-mnist\"}, \"penni\": {\"bases\": 0}}")
                .getBytes(StandardCharsets.UTF_8);
        SubmissionResult result;
        try (SubmissionDesk desk = kafka.desk(() -> environment)) {
            result = desk.submit(request, "http 127.0.0.1");
        }
        SubmissionResult.Refused refused = assertInstanceOf(SubmissionResult.Refused.class, result);
        assertEquals("desk-bad", refused.jobId());
        assertTrue(refused.reasons().stream().anyMatch(r -> r.startsWith("/penni/bases")), refused.reasons().toString());

        assertEquals(1, count(kafka.events("desk-bad", e -> count(e, "io.penni.job.rejected") == 1),
                "io.penni.job.rejected"));
        List<ConsumerRecord<String, byte[]>> dlq = kafka.read(Topics.REQUESTS_DLQ, r -> !r.isEmpty());
        assertEquals(1, dlq.size());
        assertArrayEquals(request, dlq.get(0).value());
        assertEquals("desk-bad", WorkflowHarness.header(dlq.get(0), Topics.DLQ_JOB_HEADER).orElseThrow());
        assertEquals("http 127.0.0.1", WorkflowHarness.header(dlq.get(0), Topics.DLQ_ORIGIN_HEADER).orElseThrow());
        assertTrue(kafka.readAll(Topics.REQUESTS).isEmpty(), "nothing on penni.requests");
        assertEquals(1.0, kafka.counter("penni.ended.jobs", "outcome", "rejected"));
    }
}
