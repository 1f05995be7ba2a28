package io.penni.workflow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.penni.api.job.JobStatus;
import io.penni.workflow.Topics;

/** The workflow's own meters, by name, tags and base unit, in a plain registry. */
class WorkflowMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkflowMetrics metrics = new WorkflowMetrics();

    @Test
    void theLastCompletedJobsAccuracyChangeAndReductionsAreRatios() {
        metrics.bindTo(registry);
        assertTrue(Double.isNaN(gauge("penni.last.job.accuracy.change")), "no job yet: NaN, not a made-up 0");
        metrics.jobCompleted(Map.of("baselineAccuracy", 0.90, "compressedAccuracy", 0.88, "convParamsBefore", 1000L,
                "convParamsAfter", 100L, "convMacsBefore", 4000L, "convMacsAfter", 1000L));
        assertEquals(-0.02, gauge("penni.last.job.accuracy.change"), 1e-12);
        assertEquals(0.9, gauge("penni.last.job.conv.params.reduction"), 1e-12);
        assertEquals(0.75, gauge("penni.last.job.conv.macs.reduction"), 1e-12);
        assertEquals("ratio", registry.get("penni.last.job.conv.macs.reduction").gauge().getId().getBaseUnit());
    }

    @Test
    void queuedAndRunningJobsComeFromTheJobTableCounts() {
        metrics.bindTo(registry);
        metrics.jobTable(Map.of(JobStatus.QUEUED, 3L, JobStatus.RUNNING, 1L, JobStatus.COMPLETED, 7L));
        assertEquals(3, registry.get("penni.active.jobs").tag("status", "queued").gauge().value());
        assertEquals(1, registry.get("penni.active.jobs").tag("status", "running").gauge().value());
        assertNull(registry.find("penni.active.jobs").tag("status", "completed").gauge(), "final states are no gauge");
    }

    @Test
    void aRunningStageCountsItsTasksAndItsLastProgressTime() {
        metrics.stageRunning("retrain"); // before the registry is bound: registered when it is
        metrics.bindTo(registry);
        double before = System.currentTimeMillis() / 1000.0;
        metrics.progress("retrain");
        assertEquals(1, registry.get("penni.stage.running").tag("stage", "retrain").gauge().value());
        assertTrue(registry.get("penni.stage.last.progress").tag("stage", "retrain").gauge().value() >= before - 1);
        metrics.stageStopped("retrain");
        assertEquals(0, registry.get("penni.stage.running").tag("stage", "retrain").gauge().value());
    }

    @Test
    void failuresAreCountedByStageAndKind() {
        metrics.bindTo(registry);
        metrics.jobFailed("prune", StageTaskRunner.Failure.STAGE_ERROR);
        metrics.jobFailed("prune", StageTaskRunner.Failure.STAGE_ERROR);
        metrics.jobFailed("retrain", StageTaskRunner.Failure.CRASHED);
        assertEquals(2, registry.get("penni.job.failures").tags("stage", "prune", "reason", "stage_error").counter()
                .count());
        assertEquals(1, registry.get("penni.job.failures").tags("stage", "retrain", "reason", "crashed").counter()
                .count());
    }

    @Test
    void noMeterIsNamedLikeATopicAndCountersAndGaugesHaveBaseUnits() {
        metrics.bindTo(registry);
        metrics.jobEnded("completed");
        metrics.poisonTask("decompose");
        metrics.duplicateTask("decompose");
        metrics.stageRetries("decompose", "retried");
        metrics.loopRestarted("intake");
        metrics.model("retrain", 0.5, 1000);
        metrics.stageRunning("decompose");
        metrics.jobFailed("decompose", StageTaskRunner.Failure.CRASHED);
        for (Meter meter : registry.getMeters()) {
            String name = meter.getId().getName();
            for (String topic : Topics.all()) {
                assertTrue(!name.equals(topic) && !name.startsWith(topic + "."), name + " is named like topic " + topic);
            }
            assertNotNull(meter.getId().getBaseUnit(), name + " has no base unit");
        }
        assertNotNull(registry.find("penni.ended.jobs").tag("outcome", "completed").counter());
        assertNotNull(registry.find("penni.stage.unreadable.tasks").tag("stage", "decompose").counter());
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }
}
