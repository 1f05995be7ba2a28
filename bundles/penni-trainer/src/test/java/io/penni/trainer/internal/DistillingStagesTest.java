package io.penni.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.Distillation;
import io.penni.api.job.PruningSpec;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.TrainingSummary;
import io.penni.artifacts.testing.LocalJob;
import io.penni.model.Architectures;
import io.penni.model.ModelArtifacts;
import io.penni.trainer.TrainingEnvironment;

/** The retrain stage of a job asking for distillation: its teacher is the job's dense model, the pretrain output. */
class DistillingStagesTest {

    @TempDir
    Path folder;

    private LocalJob job(Map<String, ArtifactRef> inputs) throws Exception {
        return TrainingStageJobs.job(folder, "kd", 1, new Distillation(true, 0.5, 2),
                new PruningSpec(Optional.empty(), Map.of()), inputs);
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
