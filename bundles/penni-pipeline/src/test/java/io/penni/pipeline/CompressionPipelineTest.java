package io.penni.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.PruningSpec;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.OtherSummary;
import io.penni.api.stage.StageOutcome;
import io.penni.artifacts.testing.LocalJob;

/** The one-process pipeline: stages in order through the job core's runner, each seeing what came before. */
class CompressionPipelineTest {

    @TempDir
    Path folder;
    private LocalJob job;
    private final List<String> seen = new ArrayList<>();

    @BeforeEach
    void job() throws IOException {
        job = LocalJob.in(folder, "job-1", 5, new PruningSpec(Optional.empty(), Map.of()));
    }

    @Test
    void eachStageSeesTheLatestModelAndEveryEarlierOutputByStageName() {
        Map<String, CompressionStage> stages = new LinkedHashMap<>();
        stages.put("alpha", writing("alpha"));
        stages.put("beta", writing("beta"));
        PipelineResult result = new CompressionPipeline(stages, job.artifacts(), List.of("alpha", "beta"))
                .run(job.request(), new CompressionPipeline.Listener() {
                }, () -> false);

        assertTrue(result.failure().isEmpty(), result.failure().toString());
        assertEquals(List.of("alpha saw []", "beta saw [alpha.model, model]"), seen);
        assertEquals(result.artifacts().get("beta.model"), result.artifacts().get("model"));
        assertEquals(List.of("alpha", "beta"), List.copyOf(result.completed().keySet()));
    }

    @Test
    void aFailedStageStopsTheJobAndARunAgainResumesAfterTheStagesThatCompleted() {
        List<String> events = new ArrayList<>();
        CompressionPipeline.Listener listener = new CompressionPipeline.Listener() {
            @Override
            public void stageStarted(String stage, boolean skipped) {
                events.add(stage + (skipped ? " reused" : " ran"));
            }
        };
        Map<String, CompressionStage> failing = new LinkedHashMap<>();
        failing.put("alpha", writing("alpha"));
        failing.put("beta", context -> new StageOutcome.Failed("beta: out of memory", false));
        PipelineResult first = new CompressionPipeline(failing, job.artifacts(), List.of("alpha", "beta"))
                .run(job.request(), listener, () -> false);
        assertEquals("beta", first.failure().orElseThrow().stage());
        assertEquals("beta: out of memory", first.failure().orElseThrow().reason());
        assertFalse(first.failure().orElseThrow().retryable());

        Map<String, CompressionStage> fixed = new LinkedHashMap<>(failing);
        fixed.put("beta", writing("beta"));
        PipelineResult second = new CompressionPipeline(fixed, job.artifacts(), List.of("alpha", "beta"))
                .run(job.request(), listener, () -> false);
        assertTrue(second.failure().isEmpty());
        assertEquals(List.of("alpha ran", "beta ran", "alpha reused", "beta ran"), events);
    }

    @Test
    void aStageThatIsNotInstalledFailsTheJobNamingIt() {
        PipelineResult result = new CompressionPipeline(Map.of(), job.artifacts(), List.of("alpha"))
                .run(job.request(), new CompressionPipeline.Listener() {
                }, () -> false);
        assertEquals("no 'alpha' stage is installed", result.failure().orElseThrow().reason());
    }

    private CompressionStage writing(String name) {
        return context -> {
            seen.add(name + " saw " + context.inputs().keySet().stream().sorted().toList());
            try {
                ArtifactRef model = context.artifacts().write(context.request().jobId(), name + "/model.json",
                        name.getBytes(StandardCharsets.UTF_8));
                return new StageOutcome.Completed(Map.of("model", model), OtherSummary.EMPTY);
            } catch (IOException e) {
                return new StageOutcome.Failed(e.getMessage(), true);
            }
        };
    }
}
