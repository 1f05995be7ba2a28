package io.penni.artifacts.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageProgress;
import io.penni.artifacts.internal.FileSystemArtifactStore;

/**
 * A job's stage context for stage tests: a real {@link FileSystemArtifactStore} under a folder, a small
 * vgg-small request, the inputs given; progress is ignored and the job is never cancelled. Shared by the stage
 * modules' tests through this module's test jar.
 *
 * @param request the job's request
 * @param inputs the stage's inputs
 * @param artifacts the store ({@code <folder>/store})
 * @param workDir the work folder ({@code <folder>/work})
 */
public record LocalJob(CompressionRequest request, Map<String, ArtifactRef> inputs, ArtifactStore artifacts,
        Path workDir) implements StageContext {

    /**
     * A job without inputs.
     *
     * @param folder where the store and the work folder go
     * @param jobId the job's id
     * @param bases PENNI's d
     * @param pruning the pruning strategy and parameters
     * @return the job
     * @throws IOException if the work folder cannot be created
     */
    public static LocalJob in(Path folder, String jobId, int bases, PruningSpec pruning) throws IOException {
        CompressionRequest request = new CompressionRequest(jobId, new ModelSource.BuiltIn("vgg-small", 1),
                new DatasetSpec("fashion-mnist", "fashion-mnist", Augmentation.NONE, 0, 0), TrainingSchedule.paper(0),
                new PenniParameters(bases, 1e-4, 5, TrainingSchedule.paper(1), TrainingSchedule.paper(1)), pruning,
                new EvaluationSpec(List.of("cpu"), List.of(1), 0, 1), 1);
        return new LocalJob(request, Map.of(), new FileSystemArtifactStore(folder.resolve("store")),
                Files.createDirectories(folder.resolve("work")));
    }

    /**
     * The same job with other inputs.
     *
     * @param newInputs the inputs
     * @return the job
     */
    public LocalJob withInputs(Map<String, ArtifactRef> newInputs) {
        return new LocalJob(request, newInputs, artifacts, workDir);
    }

    @Override
    public void progress(StageProgress progress) {
        // stage tests check outcomes, not progress notes
    }

    @Override
    public boolean cancelled() {
        return false;
    }
}
