package io.penni.workflow.internal;

import static io.penni.workflow.internal.WorkflowHarness.count;
import static io.penni.workflow.internal.WorkflowHarness.task;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.job.JobState;
import io.penni.api.job.JobStatus;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.pipeline.CompressionRequests;
import io.penni.pipeline.StageRunner;
import io.penni.workflow.StageTask;
import io.penni.workflow.Topics;
import io.penni.workflow.WorkflowJson;

/**
 * The stage worker's failure paths and hand-off, through a real broker: every job ends in exactly one hand-off to
 * its next stage or in {@code job.failed}, whatever its stage does, whatever is on its topic.
 */
@Timeout(180)
class StageWorkerTest extends RealBrokerTest {

    private static final String ALPHA = "alpha";
    private static final String BETA = "beta";
    private static final List<String> PLAN = List.of(ALPHA, BETA);
    private static final String COMPLETED = "io.penni.stage.completed";
    private static final String FAILED = "io.penni.job.failed";

    @BeforeEach
    void stageTopics() throws Exception {
        kafka.topics(1, ALPHA, BETA);
    }

    @Test
    void aCompletedStageHandsTheJobToTheNextStageOnce() throws Exception {
        ScriptedStage alpha = ScriptedStage.completing(ALPHA);
        kafka.start("a", 3, Map.of(ALPHA, alpha));
        kafka.publish(ALPHA, 0, "job-1", task("job-1", PLAN));

        StageTask next = WorkflowJson.readTask(handOffs("job-1", 1).get(0).value());
        assertEquals(BETA, next.stage());
        assertTrue(next.artifacts().containsKey("alpha.model"), next.artifacts().toString());
        assertEquals(1, count(kafka.events("job-1", e -> count(e, COMPLETED) == 1), COMPLETED));
        assertEquals(JobStatus.QUEUED, lastState("job-1", s -> s.stage().equals(Optional.of(BETA))).status());
        assertEquals(1, alpha.runs());
    }

    @Test
    void aPassingErrorRunsTheStageAgainAndTheJobGoesOn() throws Exception {
        ScriptedStage alpha = ScriptedStage.scripted(ALPHA,
                n -> n == 1 ? new StageOutcome.Failed("alpha: broker hiccup", true) : ScriptedStage.COMPLETE);
        kafka.start("a", 3, Map.of(ALPHA, alpha));
        kafka.publish(ALPHA, 0, "job-1", task("job-1", PLAN));

        assertEquals(1, handOffs("job-1", 1).size());
        List<JobEvent> events = kafka.events("job-1", e -> count(e, COMPLETED) == 1);
        assertEquals(0, count(events, FAILED));
        assertEquals(2, alpha.runs());
        assertEquals(1.0, kafka.counter("penni.stage.retries", "stage", ALPHA, "outcome", "retried"));
    }

    @Test
    void whenAttemptsRunOutTheJobFailsWithTheLastErrorAndTheTopicGoesOn() throws Exception {
        // was: the task was committed with nothing published, so the job stayed RUNNING for good
        ScriptedStage alpha = ScriptedStage.scripted(ALPHA,
                n -> n <= 3 ? new StageOutcome.Failed("alpha: disk busy (try " + n + ")", true) : ScriptedStage.COMPLETE);
        kafka.start("a", 3, Map.of(ALPHA, alpha));
        kafka.publish(ALPHA, 0, "job-1", task("job-1", PLAN));
        kafka.publish(ALPHA, 0, "job-2", task("job-2", PLAN));

        List<JobEvent> events = kafka.events("job-1", e -> count(e, FAILED) == 1);
        JobEvent failed = events.stream().filter(e -> e.type().type().equals(FAILED)).findFirst().orElseThrow();
        String reason = String.valueOf(failed.data().get("reason"));
        assertTrue(reason.contains("gave up after 3 attempts") && reason.contains("disk busy (try 3)"), reason);
        JobState state = lastState("job-1", s -> s.status() == JobStatus.FAILED);
        assertEquals(JobStatus.FAILED, state.status());
        assertTrue(state.message().contains("disk busy (try 3)"), state.message());
        // the failed task's offset is committed: the next job on the partition runs
        assertEquals(1, handOffs("job-2", 1).size());
        assertEquals(4, alpha.runs());
        assertEquals(1.0, kafka.counter("penni.stage.retries", "stage", ALPHA, "outcome", "exhausted"));
        assertEquals(2.0, kafka.counter("penni.stage.retries", "stage", ALPHA, "outcome", "retried"));
        assertEquals(1.0, eventually(() -> kafka.counter("penni.job.failures", "stage", ALPHA, "reason",
                "retries_exhausted"), 1.0), "the failed job counted once, by stage and kind");
    }

    /** A counter the poll thread increments just after its transaction commits, waited for up to 10 s. */
    private static double eventually(java.util.function.DoubleSupplier value, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (value.getAsDouble() != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return value.getAsDouble();
    }

    @Test
    void anUnreadableTaskGoesToTheStageDlqWithItsBytesAndReasonAndItsJobFails() throws Exception {
        // was: logged and skipped, nothing published; the job named by its key waited for good
        ScriptedStage alpha = ScriptedStage.completing(ALPHA);
        kafka.start("a", 3, Map.of(ALPHA, alpha));
        byte[] garbage = "not a task".getBytes(StandardCharsets.UTF_8);
        byte[] wrongRequest = WorkflowJson.write(new StageTask("job-r",
                new ObjectMapper().readTree("{\"model\":{\"architecture\":\"vgg-small\"},\"dataset\":{\"format\":7}}"),
                PLAN, 0, Map.of()));
        kafka.publish(ALPHA, 0, "job-g", garbage);
        kafka.publish(ALPHA, 0, null, null);
        kafka.publish(ALPHA, 0, "job-r", wrongRequest);
        kafka.publish(ALPHA, 0, "job-ok", task("job-ok", PLAN));

        List<ConsumerRecord<String, byte[]>> dlq = kafka.read(Topics.STAGE_DLQ, r -> r.size() >= 3);
        assertEquals(3, dlq.size());
        assertArrayEquals(garbage, dlq.get(0).value());
        assertEquals("job-g", dlq.get(0).key());
        String reason = WorkflowHarness.header(dlq.get(0), Topics.DLQ_REASON_HEADER).orElseThrow();
        assertTrue(reason.startsWith("the alpha task at penni.stage.alpha/0/0 cannot be read"), reason);
        assertEquals(Optional.of("penni.stage.alpha/0/1"), WorkflowHarness.header(dlq.get(1), Topics.DLQ_ORIGIN_HEADER));
        assertArrayEquals(wrongRequest, dlq.get(2).value());
        assertTrue(WorkflowHarness.header(dlq.get(2), Topics.DLQ_REASON_HEADER).orElseThrow().contains("schema"));
        assertEquals(1, count(kafka.events("job-g", e -> count(e, FAILED) == 1), FAILED));
        assertEquals(JobStatus.FAILED, lastState("job-r", s -> s.status() == JobStatus.FAILED).status());
        assertEquals(1, handOffs("job-ok", 1).size());
        assertEquals(1, alpha.runs());
        assertEquals(3.0, kafka.counter("penni.stage.unreadable.tasks", "stage", ALPHA));
        // two of the three named a job, which failed; the one without a key failed none
        assertEquals(2.0, eventually(() -> kafka.counter("penni.job.failures", "stage", ALPHA, "reason",
                "unreadable_task"), 2.0));
    }

    @Test
    void aJobWhosePartitionMovesWhileItsStageRunsIsRunByTheNewOwnerAndHandedOnOnce() throws Exception {
        kafka.topics(2, "gamma", "delta");
        ScriptedStage gamma = ScriptedStage.held("gamma");
        List<String> plan = List.of("gamma", "delta");
        kafka.start("a", 3, Map.of("gamma", gamma));
        kafka.publish("gamma", 0, "job-0", task("job-0", plan));
        kafka.publish("gamma", 1, "job-1", task("job-1", plan));
        await(() -> gamma.runs() == 2, "both jobs running in container a");

        kafka.start("b", 3, Map.of("gamma", gamma)); // the group rebalances: one partition moves to b
        await(() -> gamma.runs() == 3, "the moved job running again in container b");
        gamma.release();

        kafka.read(Topics.stage("delta"), r -> r.size() >= 2);
        for (String job : List.of("job-0", "job-1")) {
            assertEquals(1, count(kafka.events(job, e -> count(e, COMPLETED) == 1), COMPLETED), job);
        }
        Thread.sleep(1000); // a second hand-off, had a cancelled run made one, would be committed by now
        List<ConsumerRecord<String, byte[]>> handOffs = kafka.readAll(Topics.stage("delta"));
        assertEquals(List.of("job-0", "job-1"), handOffs.stream().map(ConsumerRecord::key).sorted().toList());
        assertEquals(3, gamma.runs());
    }

    @Test
    void aTaskRedeliveredAfterItsStageRecordedItsOutcomeIsNotRunAgain() throws Exception {
        // a container that died after the stage recorded its outcome and before the hand-off was committed
        ScriptedStage alpha = ScriptedStage.completing(ALPHA);
        new StageRunner(kafka.store).run(CompressionRequests.read(new ObjectMapper().readTree(WorkflowHarness.REQUEST),
                "job-1"), ALPHA, alpha, Map.of(), new StageRunner.Observer() {
                    @Override
                    public void started(boolean reused) {
                    }

                    @Override
                    public void progress(StageProgress progress) {
                    }
                }, () -> false);
        kafka.start("a", 3, Map.of(ALPHA, alpha));
        kafka.publish(ALPHA, 0, "job-1", task("job-1", PLAN));

        assertEquals(1, handOffs("job-1", 1).size());
        List<JobEvent> events = kafka.events("job-1", e -> count(e, COMPLETED) == 1);
        assertTrue(events.stream().anyMatch(e -> String.valueOf(e.data().get("note")).contains("already completed")),
                events.toString());
        assertEquals(1, alpha.runs());
    }

    @Test
    void aCopyOfATaskAlreadyHandedOnIsIgnored() throws Exception {
        ScriptedStage alpha = ScriptedStage.completing(ALPHA);
        kafka.start("a", 3, Map.of(ALPHA, alpha));
        kafka.publish(ALPHA, 0, "job-1", task("job-1", PLAN));
        assertEquals(1, handOffs("job-1", 1).size());
        kafka.publish(ALPHA, 0, "job-1", task("job-1", PLAN));
        kafka.publish(ALPHA, 0, "job-2", task("job-2", PLAN));

        assertEquals(1, handOffs("job-2", 1).size()); // job-2 is behind the copy: the copy was dealt with
        assertEquals(1, kafka.readAll(Topics.stage(BETA)).stream().filter(r -> "job-1".equals(r.key())).count());
        assertEquals(1, count(kafka.events("job-1", e -> count(e, COMPLETED) >= 1), COMPLETED));
        assertEquals(2, alpha.runs());
        assertEquals(1.0, kafka.counter("penni.stage.duplicates", "stage", ALPHA));
    }

    @Test
    void aJobSubmittedAgainIsHandedOnAgainFromItsRecordsWithoutRunningTheStage() throws Exception {
        // a copy of a task is ignored, but the same job id accepted again (a new request record) must still get an
        // answer: its stage reuses its record and hands it on, instead of the job waiting in the table for good
        ScriptedStage alpha = ScriptedStage.completing(ALPHA);
        kafka.start("a", 3, Map.of(ALPHA, alpha));
        kafka.publish(ALPHA, 0, "job-1", task("job-1", PLAN, "penni.requests/0/7"));
        assertEquals(1, handOffs("job-1", 1).size());
        kafka.publish(ALPHA, 0, "job-1", task("job-1", PLAN, "penni.requests/0/8"));

        assertEquals(2, handOffs("job-1", 2).size());
        assertEquals(1, alpha.runs());
        assertEquals(0.0, kafka.counter("penni.stage.duplicates", "stage", ALPHA));
    }

    @Test
    void aJobSubmittedAgainWithOtherSettingsRunsTheStageAgainAndSaysWhy() throws Exception {
        ScriptedStage alpha = ScriptedStage.completing(ALPHA);
        kafka.start("a", 3, Map.of(ALPHA, alpha));
        kafka.publish(ALPHA, 0, "job-1", task("job-1", PLAN, "penni.requests/0/7"));
        assertEquals(1, handOffs("job-1", 1).size());
        String changed = WorkflowHarness.REQUEST.replace("}}", "},\"penni\":{\"l1\":0.001}}");
        kafka.publish(ALPHA, 0, "job-1", task("job-1", PLAN, "penni.requests/0/8", changed));

        assertEquals(2, handOffs("job-1", 2).size());
        assertEquals(2, alpha.runs(), "the record of the first request is not the answer to the second");
        List<JobEvent> events = kafka.events("job-1", e -> e.stream().filter(x -> x.type() == EventType.STAGE_STARTED)
                .count() == 2);
        assertTrue(events.stream().anyMatch(e -> String.valueOf(e.data().get("note"))
                .equals("it completed before, but with different request settings; running it again")), events
                .toString());
    }

    /** The hand-offs of a job to beta, read until {@code atLeast} of them are there or none more come. */
    private List<ConsumerRecord<String, byte[]>> handOffs(String job, int atLeast) {
        return kafka.read(Topics.stage(BETA), r -> r.stream().filter(x -> job.equals(x.key())).count() >= atLeast)
                .stream().filter(x -> job.equals(x.key())).toList();
    }

    private JobState lastState(String job, java.util.function.Predicate<JobState> until) throws Exception {
        List<ConsumerRecord<String, byte[]>> records = kafka.read(Topics.JOBS, r -> r.stream()
                .filter(x -> job.equals(x.key())).map(x -> state(x.value())).anyMatch(until));
        JobState last = null;
        for (ConsumerRecord<String, byte[]> r : records) {
            if (job.equals(r.key())) {
                last = state(r.value());
            }
        }
        return last;
    }

    private static JobState state(byte[] value) {
        try {
            return WorkflowJson.readState(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
