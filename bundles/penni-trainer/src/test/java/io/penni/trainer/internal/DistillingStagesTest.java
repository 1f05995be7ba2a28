package io.penni.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.Augmentation;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.DatasetSpec;
import io.penni.api.job.Distillation;
import io.penni.api.job.EvaluationSpec;
import io.penni.api.job.ModelSource;
import io.penni.api.job.PenniParameters;
import io.penni.api.job.PruningSpec;
import io.penni.api.job.TrainingSchedule;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.TrainingSummary;
import io.penni.artifacts.internal.FileSystemArtifactStore;
import io.penni.artifacts.testing.LocalJob;
import io.penni.model.Architectures;
import io.penni.model.ModelArtifacts;
import io.penni.trainer.TrainingEnvironment;

/** The retrain stage of a job asking for distillation: its teacher is the job's dense model, the pretrain output. */
class DistillingStagesTest {

    @TempDir
    Path folder;

    private LocalJob job(Map<String, ArtifactRef> inputs) throws Exception {
        TrainingSchedule oneEpoch = new TrainingSchedule(1, 0.01, List.of(), 0.1, 64, 0.9, true, 1e-4,
                TrainingSchedule.RateShape.COSINE);
        CompressionRequest request = new CompressionRequest("kd", new ModelSource.BuiltIn("vgg-small", 1),
                new DatasetSpec("fashion-mnist", "fashion-mnist", Augmentation.NONE, 512, 256), TrainingSchedule.paper(0),
                new PenniParameters(5, 1e-4, 1, oneEpoch, oneEpoch, new Distillation(true, 0.5, 2)),
                new PruningSpec(Optional.empty(), Map.of()), new EvaluationSpec(List.of("cpu"), List.of(1), 0, 1), 1);
        return new LocalJob(request, inputs, new FileSystemArtifactStore(folder.resolve("store")),
                java.nio.file.Files.createDirectories(folder.resolve("work")));
    }

    @Test
    void retrainingDistilsFromTheJobsDenseModelAndSaysSoWhenThereIsNone() throws Exception {
        LocalJob empty = job(Map.of());
        Map<String, ArtifactRef> student = ModelArtifacts.save(empty.artifacts(), "kd", "decompose",
                Architectures.create("vgg-small", 2), empty.workDir());
        RetrainStage stage = new RetrainStage(new TrainingEnvironment(Path.of("/usr/share/datasets"), folder, 1));

        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class, stage.run(job(student)));
        assertTrue(failed.reason().contains("distillation needs the job's dense model ('baseline')"), failed.reason());

        Map<String, ArtifactRef> dense = ModelArtifacts.save(empty.artifacts(), "kd", "pretrain",
                Architectures.create("vgg-small", 3), empty.workDir());
        Map<String, ArtifactRef> inputs = new java.util.HashMap<>(student);
        inputs.put("baseline", dense.get(ModelArtifacts.MODEL));
        inputs.put("baseline.weights", dense.get(ModelArtifacts.WEIGHTS));
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class, stage.run(job(inputs)));
        TrainingSummary summary = assertInstanceOf(TrainingSummary.class, done.summary());
        assertTrue(summary.epochs() == 1, summary.toString());
    }
}
