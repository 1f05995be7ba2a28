package io.penni.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.EvaluationSpec;
import io.penni.api.job.ModelSource;
import io.penni.api.job.PenniParameters;
import io.penni.api.job.PruningSpec;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.OtherSummary;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.artifacts.testing.LocalJob;

/**
 * The job core's one stage runner: idempotency by (job, stage) for the same settings, inputs and model file, timing,
 * records, failures as values.
 */
class StageRunnerTest {

    @TempDir
    Path folder;
    private LocalJob job;
    private StageRunner runner;
    private final List<String> heard = new ArrayList<>();

    @BeforeEach
    void job() throws IOException {
        job = LocalJob.in(folder, "job-1", 5, new PruningSpec(Optional.empty(), Map.of()));
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

    @Test
    void aRecordMadeFromOtherRequestSettingsIsSetAsideAndTheStageRunsAgain() {
        AtomicInteger runs = new AtomicInteger();
        CompressionStage stage = writing("alpha", runs);
        CompressionRequest asked = job.request();
        CompressionRequest changed = with(asked, new PenniParameters(asked.penni().bases(), 1e-3,
                asked.penni().switchEvery(), asked.penni().retrain(), asked.penni().finetune()));
        runner.run(asked, "alpha", stage, Map.of(), observer(), () -> false);
        heard.clear();

        StageRunner.Run again = runner.run(changed, "alpha", stage, Map.of(), observer(), () -> false);
        assertFalse(again.reused());
        assertEquals(2, runs.get());
        assertEquals(List.of("set aside: it completed before, but with different request settings; running it again",
                "started"), heard);
        assertTrue(runner.run(changed, "alpha", stage, Map.of(), observer(), () -> false).reused(),
                "the new record is reused for the request that made it");
        assertFalse(runner.run(asked, "alpha", stage, Map.of(), observer(), () -> false).reused(),
                "and not for the old request any more");
        assertEquals(3, runs.get());
    }

    @Test
    void aRecordMadeFromOtherInputArtifactsIsSetAside() {
        AtomicInteger runs = new AtomicInteger();
        CompressionStage stage = writing("beta", runs);
        ArtifactRef one = new ArtifactRef(java.net.URI.create("file:///a/model.json"), "aa", 1);
        ArtifactRef other = new ArtifactRef(java.net.URI.create("file:///a/model.json"), "ab", 1);
        runner.run(job.request(), "beta", stage, Map.of("model", one), observer(), () -> false);
        assertTrue(runner.run(job.request(), "beta", stage, Map.of("model", one), observer(), () -> false).reused());
        heard.clear();
        assertFalse(runner.run(job.request(), "beta", stage, Map.of("model", other), observer(), () -> false).reused());
        assertEquals("set aside: it completed before, but with different input artifacts; running it again",
                heard.get(0));
        assertEquals(2, runs.get());
    }

    @Test
    void theEvaluationSectionCountsForTheEvaluateStageOnly() {
        AtomicInteger runs = new AtomicInteger();
        CompressionRequest asked = job.request();
        CompressionRequest otherBackends = new CompressionRequest(asked.jobId(), asked.model(), asked.dataset(),
                asked.pretrain(), asked.penni(), asked.pruning(),
                new EvaluationSpec(List.of("cpu", "onnxruntime"), List.of(1, 32), 0, 1), asked.seed(), asked.recipe());
        for (String stage : List.of(StageNames.RETRAIN, StageNames.EVALUATE)) {
            runner.run(asked, stage, writing(stage, runs), Map.of(), observer(), () -> false);
        }
        assertTrue(runner.run(otherBackends, StageNames.RETRAIN, writing(StageNames.RETRAIN, runs), Map.of(),
                observer(), () -> false).reused(), "asking for other timings does not retrain");
        assertFalse(runner.run(otherBackends, StageNames.EVALUATE, writing(StageNames.EVALUATE, runs), Map.of(),
                observer(), () -> false).reused());
        assertEquals(3, runs.get());
    }

    @Test
    void aChangedModelFileUnderTheSamePathIsNoticed() throws IOException {
        Path models = Files.createDirectories(folder.resolve("models"));
        Files.writeString(models.resolve("net.onnx"), "version 1");
        StageRunner reading = new StageRunner(job.artifacts(), () -> Optional.of(models));
        CompressionRequest asked = job.request();
        CompressionRequest stored = new CompressionRequest(asked.jobId(),
                new ModelSource.Stored("net.onnx"), asked.dataset(), asked.pretrain(),
                asked.penni(), asked.pruning(), asked.evaluation(), asked.seed(), asked.recipe());
        AtomicInteger runs = new AtomicInteger();
        CompressionStage stage = writing(StageNames.PRETRAIN, runs);
        reading.run(stored, StageNames.PRETRAIN, stage, Map.of(), observer(), () -> false);
        assertTrue(reading.run(stored, StageNames.PRETRAIN, stage, Map.of(), observer(), () -> false).reused());
        Files.writeString(models.resolve("net.onnx"), "version 2");
        heard.clear();
        assertFalse(reading.run(stored, StageNames.PRETRAIN, stage, Map.of(), observer(), () -> false).reused());
        assertEquals("set aside: it completed before, but with different model file content; running it again",
                heard.get(0));
        assertEquals(2, runs.get());
    }

    @Test
    void aRecordWrittenBeforeFingerprintsWereKeptIsReusedAsBefore() throws IOException {
        ArtifactRef out = job.artifacts().write("job-1", "alpha/out.txt", "x".getBytes(StandardCharsets.UTF_8));
        ArtifactRef record = StageRecords.save(job.artifacts(), "job-1", "alpha",
                new StageOutcome.Completed(Map.of("out", out), OtherSummary.EMPTY), new StageFingerprint("r", "i", "s"));
        ObjectNode old = (ObjectNode) new ObjectMapper().readTree(Files.readAllBytes(job.artifacts().open(record)));
        old.remove("fingerprint");
        job.artifacts().write("job-1", "alpha/outcome.json", new ObjectMapper().writeValueAsBytes(old));
        AtomicInteger runs = new AtomicInteger();
        assertTrue(runner.run(job.request(), "alpha", writing("alpha", runs), Map.of(), observer(), () -> false)
                .reused());
        assertEquals(0, runs.get());
    }

    @Test
    void theFingerprintDoesNotDependOnTheOrderOfMapsOrOnTheJobId() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        CompressionRequest asked = job.request();
        CompressionRequest one = with(asked, new PruningSpec(Optional.of("std"), ab));
        CompressionRequest two = new CompressionRequest("another-job", asked.model(), asked.dataset(), asked.pretrain(),
                asked.penni(), new PruningSpec(Optional.of("std"), ba), asked.evaluation(), asked.seed(),
                asked.recipe());
        CompressionRequest three = with(asked, new PruningSpec(Optional.of("std"), Map.of("a", "1", "b", "3")));
        StageFingerprint first = StageFingerprint.of(one, "prune", Map.of(), Optional.empty());
        assertEquals(first, StageFingerprint.of(two, "prune", Map.of(), Optional.empty()));
        assertEquals(List.of("request settings"),
                StageFingerprint.of(three, "prune", Map.of(), Optional.empty()).differences(first));
        assertEquals(List.of(), first.differences(first));
    }

    private static CompressionRequest with(CompressionRequest r, PenniParameters penni) {
        return new CompressionRequest(r.jobId(), r.model(), r.dataset(), r.pretrain(), penni, r.pruning(),
                r.evaluation(), r.seed(), r.recipe());
    }

    private static CompressionRequest with(CompressionRequest r, PruningSpec pruning) {
        return new CompressionRequest(r.jobId(), r.model(), r.dataset(), r.pretrain(), r.penni(), pruning,
                r.evaluation(), r.seed(), r.recipe());
    }

    /** A stage that counts its runs and writes one output. */
    private static CompressionStage writing(String name, AtomicInteger runs) {
        return context -> {
            int run = runs.incrementAndGet();
            try {
                ArtifactRef out = context.artifacts().write(context.request().jobId(), name + "/out.txt",
                        ("run " + run).getBytes(StandardCharsets.UTF_8));
                return new StageOutcome.Completed(Map.of("out", out), OtherSummary.EMPTY);
            } catch (IOException e) {
                return new StageOutcome.Failed(e.getMessage(), false);
            }
        };
    }

    private StageRunner.Observer observer() {
        return new StageRunner.Observer() {
            @Override
            public void recordSetAside(String why) {
                heard.add("set aside: " + why);
            }

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
