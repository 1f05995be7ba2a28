package io.penni.api.stage;

import java.nio.file.Path;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.job.CompressionRequest;

/** What a stage is given to do its work. */
@ProviderType
public interface StageContext {

    /** @return the job's request, defaults filled in */
    CompressionRequest request();

    /** @return artifacts earlier stages produced, by name (e.g. {@code model}) */
    Map<String, ArtifactRef> inputs();

    /** @return the store the stage writes its outputs to */
    ArtifactStore artifacts();

    /** @return this job's and stage's working folder; it survives restarts, so checkpoints go here */
    Path workDir();

    /**
     * Reports progress. Cheap; may be called every iteration.
     *
     * @param progress the report
     */
    void progress(StageProgress progress);

    /** @return whether the stage should stop at the next safe point (the container is shutting down) */
    boolean cancelled();
}
