package io.penni.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.PruningSpec;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.OtherSummary;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.artifacts.testing.LocalJob;

/** The job core's one stage runner: idempotency by (job, stage), timing, records, failures as values. */
class StageRunnerTest {

    @TempDir
    Path folder;
    private LocalJob job;
    private StageRunner runner;
    private final List<String> heard = new ArrayList<>();

    @BeforeEach
    void job() throws IOException {
        job = LocalJob.in(folder, "job-1", 5, new PruningSpec(java.util.Optional.empty(), Map.of()));
        runner = new StageRunner(job.artifacts());
    }

    @Test
    void aCompletedStageIsRecordedWithItsWallTimeAndNotRunAgain() {
        AtomicInteger runs = new AtomicInteger();
        CompressionStage stage = context -> {
            runs.incrementAndGet();
            context.progress(StageProgress.note("working"));
            try {
                ArtifactRef out = context.artifacts().write(context.request().jobId(), "alpha/out.txt",
                        "x".getBytes(StandardCharsets.UTF_8));
                return new StageOutcome.Completed(Map.of("out", out), new OtherSummary(Map.of("figure", 7)));
            } catch (IOException e) {
                return new StageOutcome.Failed(e.getMessage(), false);
            }
        };
        StageRunner.Run first = runner.run(job.request(), "alpha", stage, Map.of(), observer(), () -> false);
        StageRunner.Run second = runner.run(job.request(), "alpha", stage, Map.of(), observer(), () -> false);

        assertFalse(first.reused());
        assertTrue(second.reused());
        assertEquals(1, runs.get());
        StageOutcome.Completed recorded = second.completed().orElseThrow();
        assertEquals(first.completed().orElseThrow().outputs(), recorded.outputs());
        assertEquals(7, ((Number) assertInstanceOf(OtherSummary.class, recorded.summary()).figures().get("figure"))
                .intValue());
        assertTrue(recorded.seconds().orElseThrow() >= 0);
        assertEquals(List.of("started", "working", "reused"), heard);
    }

    @Test
    void aFailedStageIsNotRecordedAndRunsAgainNextTime() {
        AtomicInteger runs = new AtomicInteger();
        CompressionStage stage = context -> runs.incrementAndGet() == 1
                ? new StageOutcome.Failed("alpha: the disk was busy", true)
                : new StageOutcome.Completed(Map.of(), OtherSummary.EMPTY);
        StageOutcome.Failed failed = runner.run(job.request(), "alpha", stage, Map.of(), observer(), () -> false)
                .failure().orElseThrow();
        assertEquals("alpha: the disk was busy", failed.reason());
        assertTrue(failed.retryable());
        assertFalse(runner.recorded("job-1", "alpha").isPresent());
        assertTrue(runner.run(job.request(), "alpha", stage, Map.of(), observer(), () -> false).completed().isPresent());
        assertTrue(runner.recorded("job-1", "alpha").isPresent());
    }

    @Test
    void aStageThatThrowsFailsItsJobWithWhatItThrewInsteadOfTakingTheRunnerDown() {
        CompressionStage stage = context -> {
            throw new IllegalStateException("a bug in alpha");
        };
        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class,
                runner.run(job.request(), "alpha", stage, Map.of(), observer(), () -> false).outcome());
        assertEquals("alpha crashed: java.lang.IllegalStateException: a bug in alpha", failed.reason());
        assertFalse(failed.retryable());
        CompressionStage linkage = context -> {
            throw new NoClassDefFoundError("io/penni/Gone");
        };
        assertTrue(runner.run(job.request(), "beta", linkage, Map.of(), observer(), () -> false).failure().orElseThrow()
                .reason().contains("NoClassDefFoundError"));
        CompressionStage silent = context -> null;
        assertEquals("gamma returned no outcome", runner.run(job.request(), "gamma", silent, Map.of(), observer(),
                () -> false).failure().orElseThrow().reason());
    }

    @Test
    void outputsJoinTheArtifactsUnderTheirNameAndAsStageDotName() {
        ArtifactRef old = new ArtifactRef(java.net.URI.create("file:///a/model.json"), "aa", 1);
        ArtifactRef fresh = new ArtifactRef(java.net.URI.create("file:///b/model.json"), "bb", 2);
        Map<String, ArtifactRef> all = StageRunner.withOutputs(Map.of("model", old, "pretrain.model", old), "decompose",
                Map.of("model", fresh));
        assertEquals(fresh, all.get("model"));
        assertEquals(fresh, all.get("decompose.model"));
        assertEquals(old, all.get("pretrain.model"));
    }

    private StageRunner.Observer observer() {
        return new StageRunner.Observer() {
            @Override
            public void started(boolean reused) {
                heard.add(reused ? "reused" : "started");
            }

            @Override
            public void progress(StageProgress progress) {
                heard.add(progress.message());
            }
        };
    }
}
