package io.penni.workflow.internal;

import static io.penni.workflow.internal.WorkflowHarness.count;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageProgress;
import io.penni.pipeline.AdmissionBudget;
import io.penni.pipeline.CompressionRequests;
import io.penni.pipeline.RequestEnvironment;
import io.penni.pipeline.StageRunner;
import io.penni.workflow.Topics;
import io.penni.workflow.WorkflowJson;

/** The request intake through a real broker: no request can stop it, each gets one answer. */
@Timeout(180)
class RequestIntakeTest extends RealBrokerTest {

    private static final String REJECTED = "io.penni.job.rejected";
    private static final String ACCEPTED = "io.penni.job.accepted";

    private RequestEnvironment environment;

    @BeforeEach
    void setUp() throws Exception {
        // the real data set, as the server checks requests against it (the Debian package dataset-fashion-mnist)
        environment = new RequestEnvironment(Path.of("/usr/share/datasets"), folder.resolve("models"),
                Set.of("vgg-small"), Set.of(), Set.of("cpu"));
    }

    @Test
    void anEpochCountThatOverflowedAnIntIsRejectedAndTheNextRequestIsAccepted() throws Exception {
        // was: it passed the schema, overflowed to a negative int, and the exception stopped the intake for good
        kafka.startIntake(() -> environment);
        byte[] hostile = ("{\"model\":{\"architecture\":\"vgg-small\"},\"dataset\":{\"format\":\"fashion-mnist\","
                + "\"path\":\"fashion-mnist\"},\"penni\":{\"retrain\":{\"epochs\":1000000000000}}}")
                .getBytes(StandardCharsets.UTF_8);
        kafka.request("job-huge", hostile);
        kafka.request("job-ok", WorkflowHarness.REQUEST.getBytes(StandardCharsets.UTF_8));

        String reasons = String.valueOf(kafka.events("job-huge", e -> count(e, REJECTED) == 1).stream()
                .filter(e -> e.type().type().equals(REJECTED)).findFirst().orElseThrow().data().get("reasons"));
        assertTrue(reasons.contains("/penni/retrain/epochs") && reasons.contains("at most 10000"), reasons);
        assertEquals(1, count(kafka.events("job-ok", e -> count(e, ACCEPTED) == 1), ACCEPTED));
        List<ConsumerRecord<String, byte[]>> dlq = kafka.read(Topics.REQUESTS_DLQ, r -> !r.isEmpty());
        assertArrayEquals(hostile, dlq.get(0).value());
    }

    @Test
    void aRequestWhoseHandlingThrowsIsRejectedWithTheErrorAndTheIntakeGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Supplier<RequestEnvironment> failingOnce = () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("a bug met by the first request");
            }
            return environment;
        };
        kafka.startIntake(failingOnce);
        kafka.request("job-1", WorkflowHarness.REQUEST.getBytes(StandardCharsets.UTF_8));
        kafka.request("job-2", WorkflowHarness.REQUEST.getBytes(StandardCharsets.UTF_8));

        String reasons = String.valueOf(kafka.events("job-1", e -> count(e, REJECTED) == 1).stream()
                .filter(e -> e.type().type().equals(REJECTED)).findFirst().orElseThrow().data().get("reasons"));
        assertTrue(reasons.contains("could not be processed") && reasons.contains("a bug met by the first request"),
                reasons);
        assertEquals(1, count(kafka.events("job-2", e -> count(e, ACCEPTED) == 1), ACCEPTED));
        ConsumerRecord<String, byte[]> task = kafka.read(Topics.stage(StageNames.PRETRAIN), r -> !r.isEmpty()).get(0);
        assertEquals("job-2", WorkflowJson.readTask(task.value()).jobId());
        assertEquals(1, kafka.read(Topics.REQUESTS_DLQ, r -> !r.isEmpty()).size());
    }

    @Test
    void aRejectionIsAnsweredUnderTheRecordsKeyNotAnUnusableJobId() throws Exception {
        // was: the rejected event carried the request's invalid job id, so a client following its key never saw it
        kafka.startIntake(() -> environment);
        byte[] request = ("{\"jobId\": \"no spaces allowed\", \"model\": {\"architecture\": \"vgg-small\"},"
                + "\"dataset\": {\"format\": \"fashion-mnist\", \"path\": \"fashion-mnist\"}}")
                .getBytes(StandardCharsets.UTF_8);
        kafka.request("my-key", request);

        String reasons = String.valueOf(kafka.events("my-key", e -> count(e, REJECTED) == 1).stream()
                .filter(e -> e.type().type().equals(REJECTED)).findFirst().orElseThrow().data().get("reasons"));
        assertTrue(reasons.contains("/jobId"), reasons);
        assertEquals("my-key", WorkflowHarness.header(kafka.read(Topics.REQUESTS_DLQ, r -> !r.isEmpty()).get(0),
                Topics.DLQ_JOB_HEADER).orElseThrow());
    }

    @Test
    void aJobOverTheServersBudgetIsRejectedAtOnceWithTheEstimate() throws Exception {
        // resnet18-cifar on the paper's 230 epochs: weeks on this machine's measured trainer speed
        RequestEnvironment budgeted = new RequestEnvironment(environment.dataRoot(), environment.modelRoot(),
                Set.of("vgg-small", "resnet18-cifar"), Set.of(), Set.of("cpu"),
                new AdmissionBudget(8L << 30, 168, 15e9));
        kafka.startIntake(() -> budgeted);
        kafka.request("too-long", ("{\"model\": {\"architecture\": \"resnet18-cifar\"}, \"dataset\": "
                + "{\"format\": \"fashion-mnist\", \"path\": \"fashion-mnist\"}}").getBytes(StandardCharsets.UTF_8));
        kafka.request("fits", WorkflowHarness.REQUEST.getBytes(StandardCharsets.UTF_8));

        String reasons = String.valueOf(kafka.events("too-long", e -> count(e, REJECTED) == 1).stream()
                .filter(e -> e.type().type().equals(REJECTED)).findFirst().orElseThrow().data().get("reasons"));
        assertTrue(reasons.contains("hours of training") && reasons.contains("cap of 168 hours"), reasons);
        assertEquals(1, count(kafka.events("fits", e -> count(e, ACCEPTED) == 1), ACCEPTED));
    }

    @Test
    void aJobIdSubmittedAgainIsAnsweredAsResubmitted() throws Exception {
        // the job ran before: its first stage has a record in the store
        new StageRunner(kafka.store).run(CompressionRequests.read(
                new ObjectMapper().readTree(WorkflowHarness.REQUEST), "again"),
                StageNames.PRETRAIN, ScriptedStage.completing("pretrain"), Map.of(),
                new StageRunner.Observer() {
                    @Override
                    public void started(boolean reused) {
                    }

                    @Override
                    public void progress(StageProgress progress) {
                    }
                }, () -> false);
        kafka.startIntake(() -> environment);
        kafka.request("again", WorkflowHarness.REQUEST.getBytes(StandardCharsets.UTF_8));
        kafka.request("first-time", WorkflowHarness.REQUEST.getBytes(StandardCharsets.UTF_8));

        Map<String, Object> again = kafka.events("again", e -> count(e, ACCEPTED) == 1).stream()
                .filter(e -> e.type().type().equals(ACCEPTED)).findFirst().orElseThrow().data();
        assertEquals(true, again.get("resubmitted"));
        assertTrue(String.valueOf(again.get("note")).contains("was submitted before"), again.toString());
        Map<String, Object> fresh = kafka.events("first-time", e -> count(e, ACCEPTED) == 1).stream()
                .filter(e -> e.type().type().equals(ACCEPTED)).findFirst().orElseThrow().data();
        assertTrue(!fresh.containsKey("resubmitted"), fresh.toString());
    }
}
