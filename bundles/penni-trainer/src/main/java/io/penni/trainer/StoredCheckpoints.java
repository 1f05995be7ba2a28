package io.penni.trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;

/**
 * A run's checkpoints in the job's artifact store, so that the run continues from its last epoch on whichever
 * container the task lands next, not only on the one that wrote it. Each checkpoint is written to the local work
 * folder, then put into the store under {@code <stage>/checkpoint/checkpoint.safetensors} (one copy per epoch: on
 * the file-system store a local file copy, on S3 an upload). A run reads the store's copy (checked against its
 * SHA-256) and falls back to a local one only when the store holds none.
 */
public final class StoredCheckpoints implements CheckpointStore {

    private final ArtifactStore store;
    private final String jobId;
    private final String name;
    private final FileCheckpointStore local;

    /**
     * @param store the job's artifact store
     * @param jobId the job
     * @param stage the training stage (its checkpoints are its own)
     * @param folder the local folder the checkpoint file is written in first
     */
    public StoredCheckpoints(ArtifactStore store, String jobId, String stage, Path folder) {
        this.store = store;
        this.jobId = jobId;
        this.name = stage + "/checkpoint/" + FileCheckpointStore.FILE;
        this.local = new FileCheckpointStore(folder);
    }

    /** @return the checkpoint's artifact name in the store */
    public String name() {
        return name;
    }

    @Override
    public Optional<Checkpoint> latest() throws IOException {
        Optional<ArtifactRef> stored = store.find(jobId, name);
        if (stored.isPresent()) {
            return Optional.of(FileCheckpointStore.read(store.open(stored.get())));
        }
        return local.latest();
    }

    @Override
    public void save(Checkpoint checkpoint) throws IOException {
        local.save(checkpoint);
        store.put(jobId, name, local.file());
    }
}
