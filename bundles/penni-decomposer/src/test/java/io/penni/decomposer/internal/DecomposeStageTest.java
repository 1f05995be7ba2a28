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
import io.penni.api.job.Augmentation;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.DatasetSpec;
import io.penni.api.job.EvaluationSpec;
import io.penni.api.job.ModelSource;
import io.penni.api.job.PenniParameters;
import io.penni.api.job.PruningSpec;
import io.penni.api.job.TrainingSchedule;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.artifacts.internal.FileSystemArtifactStore;
import io.penni.model.Architectures;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelFiles;

class DecomposeStageTest {

    @TempDir
    Path dir;

    /** A job's context over a real file-system store. */
    private record Job(CompressionRequest request, Map<String, ArtifactRef> inputs, ArtifactStore artifacts,
            Path workDir) implements StageContext {
        @Override
        public void progress(StageProgress progress) {
            // the stage's notes are not what these tests check
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    }

    private Job job(int bases, Map<String, ArtifactRef> inputs) throws IOException {
        PenniParameters penni = new PenniParameters(bases, 1e-4, 5, TrainingSchedule.paper(1),
                TrainingSchedule.paper(1));
        CompressionRequest request = new CompressionRequest("job-1", new ModelSource.BuiltIn("vgg-small", 1),
                new DatasetSpec("fashion-mnist", "fashion-mnist", Augmentation.NONE, 0, 0), TrainingSchedule.paper(0),
                penni, new PruningSpec(Optional.empty(), Map.of()), new EvaluationSpec(List.of("cpu"), List.of(1), 0,
                        1), 1);
        Files.createDirectories(dir.resolve("work"));
        return new Job(request, inputs, new FileSystemArtifactStore(dir.resolve("store")), dir.resolve("work"));
    }

    private Map<String, ArtifactRef> storedInput(Model model) throws IOException {
        Files.createDirectories(dir.resolve("work"));
        return ModelArtifacts.save(new FileSystemArtifactStore(dir.resolve("store")), "job-1", "pretrain", model,
                dir.resolve("work"));
    }

    @Test
    void storesTheDecomposedModelAndReportsEachLayersError() throws IOException {
        Job job = job(4, storedInput(Architectures.create("vgg-small", 2)));
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class, new DecomposeStage().run(job));
        assertEquals(job.artifacts().find("job-1", "decompose/model.json").orElseThrow(), done.outputs().get("model"));
        assertEquals(job.artifacts().find("job-1", "decompose/model.safetensors").orElseThrow(),
                done.outputs().get("weights"));
        Model decomposed = ModelFiles.load(job.artifacts().open(done.outputs().get("model")));
        assertEquals(6, decomposed.network().layers().stream().filter(l -> l instanceof Layer.DecomposedConv2d)
                .map(l -> (Layer.DecomposedConv2d) l).filter(l -> l.bases() == 4).count());
        List<?> layers = (List<?>) done.summary().get("layers");
        assertEquals(6, layers.size());
        assertEquals("conv1", ((Map<?, ?>) layers.get(0)).get("name"));
        double error = (Double) ((Map<?, ?>) layers.get(0)).get("relativeError");
        assertTrue(error > 0 && error < 1, "relative error " + error);
    }

    @Test
    void aSecondRunReturnsTheStoredOutputsWithoutReadingTheInputAgain() throws IOException {
        Map<String, ArtifactRef> input = storedInput(Architectures.create("vgg-small", 2));
        Job job = job(5, input);
        StageOutcome.Completed first = assertInstanceOf(StageOutcome.Completed.class, new DecomposeStage().run(job));
        Files.delete(Path.of(input.get("model").uri()));
        StageOutcome.Completed second = assertInstanceOf(StageOutcome.Completed.class, new DecomposeStage().run(job));
        assertEquals(first.outputs(), second.outputs());
        assertEquals(true, second.summary().get("reused"));
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
        ArtifactStore store = new FileSystemArtifactStore(dir.resolve("store"));
        ArtifactRef broken = store.write("job-1", "pretrain/model.json", "{\"format\": \"penni-model\"".getBytes());
        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class,
                new DecomposeStage().run(job(5, Map.of("model", broken, "weights", input.get("weights")))));
        assertTrue(failed.reason().contains("model.json: not valid JSON"), failed.reason());
        assertFalse(failed.reason().contains("\n"), failed.reason());
    }
}
