package io.penni.trainer.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
import io.penni.artifacts.internal.FileSystemArtifactStore;
import io.penni.artifacts.testing.LocalJob;

/** A small vgg-small job on 512 Fashion-MNIST images for the training stages' tests, its store under a folder. */
final class TrainingStageJobs {

    private TrainingStageJobs() {
    }

    /**
     * @param folder where the store and the work folder go
     * @param jobId the job's id
     * @param epochs retraining and fine-tuning epochs (cosine rate from 0.01)
     * @param distillation the distillation settings
     * @param pruning the pruning settings
     * @param inputs the stage's inputs
     * @return the job
     */
    static LocalJob job(Path folder, String jobId, int epochs, Distillation distillation, PruningSpec pruning,
            Map<String, ArtifactRef> inputs) throws Exception {
        TrainingSchedule schedule = new TrainingSchedule(epochs, 0.01, List.of(), 0.1, 64, 0.9, true, 1e-4,
                TrainingSchedule.RateShape.COSINE);
        CompressionRequest request = new CompressionRequest(jobId, new ModelSource.BuiltIn("vgg-small", 1),
                new DatasetSpec("fashion-mnist", "fashion-mnist", Augmentation.NONE, 512, 256), TrainingSchedule.paper(0),
                new PenniParameters(5, 1e-4, 1, schedule, schedule, distillation), pruning,
                new EvaluationSpec(List.of("cpu"), List.of(1), 0, 1), 1);
        return new LocalJob(request, inputs, new FileSystemArtifactStore(folder.resolve("store")),
                Files.createDirectories(folder.resolve("work")));
    }
}
