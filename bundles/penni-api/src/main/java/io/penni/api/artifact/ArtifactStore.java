package io.penni.api.artifact;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps the files jobs produce. Artifacts are named per job; writing the same name twice replaces it
 * atomically, so a stage that is run again after a crash leaves one consistent copy.
 */
@ProviderType
public interface ArtifactStore {

    /**
     * Copies a file into the store under the job's name space.
     *
     * @param jobId the job the artifact belongs to
     * @param name a relative name such as {@code decompose/model.safetensors}
     * @param source the file to copy
     * @return the stored artifact with its checksum
     * @throws IOException when the file cannot be read or written
     */
    ArtifactRef put(String jobId, String name, Path source) throws IOException;

    /**
     * Stores bytes under the job's name space.
     *
     * @param jobId the job the artifact belongs to
     * @param name a relative name
     * @param content the bytes
     * @return the stored artifact with its checksum
     * @throws IOException when the file cannot be written
     */
    ArtifactRef write(String jobId, String name, byte[] content) throws IOException;

    /**
     * Finds a stored artifact by job and name.
     *
     * @param jobId the job
     * @param name the artifact's name
     * @return the artifact, or empty when none is stored under that name
     */
    Optional<ArtifactRef> find(String jobId, String name);

    /**
     * Gives the local path of an artifact this store holds, after checking its checksum.
     *
     * @param ref the artifact
     * @return the path
     * @throws IOException when the file is missing or its content does not match the checksum
     */
    Path open(ArtifactRef ref) throws IOException;

    /**
     * The job's private working folder (checkpoints, scratch files), created on demand.
     *
     * @param jobId the job
     * @param stage the stage that works there
     * @return an existing folder that survives restarts
     * @throws IOException when it cannot be created
     */
    Path workDir(String jobId, String stage) throws IOException;
}
