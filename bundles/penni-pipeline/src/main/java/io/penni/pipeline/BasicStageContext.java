package io.penni.pipeline;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.job.CompressionRequest;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageProgress;

/**
 * The context a runner (the local pipeline, the Kafka workflow) gives a stage.
 *
 * @param request the job's request
 * @param inputs artifacts produced before this stage
 * @param artifacts the store for outputs
 * @param workDir the job's and stage's working folder
 * @param sink where progress goes
 * @param stop whether the stage should stop at its next safe point
 */
public record BasicStageContext(CompressionRequest request, Map<String, ArtifactRef> inputs, ArtifactStore artifacts,
        Path workDir, Consumer<StageProgress> sink, BooleanSupplier stop) implements StageContext {

    /** Copies the inputs. */
    public BasicStageContext {
        inputs = Map.copyOf(inputs);
    }

    @Override
    public void progress(StageProgress progress) {
        sink.accept(progress);
    }

    @Override
    public boolean cancelled() {
        return stop.getAsBoolean();
    }
}
