package io.penni.decomposer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.job.PruningSpec;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.DecompositionSummary;
import io.penni.artifacts.testing.LocalJob;
import io.penni.model.Architectures;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelFiles;

class DecomposeStageTest {

    @TempDir
    Path dir;

    private LocalJob job(int bases, Map<String, ArtifactRef> inputs) throws IOException {
        return LocalJob.in(dir, "job-1", bases, new PruningSpec(Optional.empty(), Map.of())).withInputs(inputs);
    }

    private Map<String, ArtifactRef> storedInput(Model model) throws IOException {
        LocalJob job = job(5, Map.of());
        return ModelArtifacts.save(job.artifacts(), "job-1", "pretrain", model, job.workDir());
    }

    @Test
    void storesTheDecomposedModelAndReportsEachLayersError() throws IOException {
        LocalJob job = job(4, storedInput(Architectures.create("vgg-small", 2)));
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class, new DecomposeStage().run(job));
        assertEquals(job.artifacts().find("job-1", "decompose/model.json").orElseThrow(), done.outputs().get("model"));
        assertEquals(job.artifacts().find("job-1", "decompose/model.safetensors").orElseThrow(),
                done.outputs().get("weights"));
        Model decomposed = ModelFiles.load(job.artifacts().open(done.outputs().get("model")));
        assertEquals(6, decomposed.network().layers().stream().filter(l -> l instanceof Layer.DecomposedConv2d)
                .map(l -> (Layer.DecomposedConv2d) l).filter(l -> l.bases() == 4).count());
        List<DecompositionSummary.Layer> layers = assertInstanceOf(DecompositionSummary.class, done.summary()).layers();
        assertEquals(6, layers.size());
        assertEquals("conv1", layers.get(0).name());
        double error = layers.get(0).relativeError();
        assertTrue(error > 0 && error < 1, "relative error " + error);
    }

    @Test
    void aSecondRunStoresTheSameOutputsAgain() throws IOException {
        // skipping a completed stage is the job core's runner's work (StageRunner); a stage run twice, as after a
        // crash before its outcome was recorded, must come to byte-identical outputs
        LocalJob job = job(5, storedInput(Architectures.create("vgg-small", 2)));
        StageOutcome.Completed first = assertInstanceOf(StageOutcome.Completed.class, new DecomposeStage().run(job));
        StageOutcome.Completed second = assertInstanceOf(StageOutcome.Completed.class, new DecomposeStage().run(job));
        assertEquals(first.outputs(), second.outputs());
        assertEquals(first.summary(), second.summary());
    }

    @Test
    void aMissingModelInputFailsWithOneLineNamingIt() throws IOException {
        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class,
                new DecomposeStage().run(job(5, Map.of())));
        assertTrue(failed.reason().startsWith("decompose: input 'model' is missing"), failed.reason());
        assertFalse(failed.reason().contains("\n"), failed.reason());
        assertFalse(failed.retryable());
    }

    @Test
    void aDamagedModelFileFailsWithoutAStackTrace() throws IOException {
        Map<String, ArtifactRef> input = storedInput(Architectures.create("vgg-small", 2));
        ArtifactStore store = job(5, Map.of()).artifacts();
        ArtifactRef broken = store.write("job-1", "pretrain/model.json", "{\"format\": \"penni-model\"".getBytes());
        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class,
                new DecomposeStage().run(job(5, Map.of("model", broken, "weights", input.get("weights")))));
        assertTrue(failed.reason().contains("model.json: not valid JSON"), failed.reason());
        assertFalse(failed.reason().contains("\n"), failed.reason());
    }
}
