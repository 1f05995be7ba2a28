package io.penni.trainer;

import java.io.IOException;
import java.util.Optional;

/** Where a run keeps its checkpoints. */
public interface CheckpointStore {

    /**
     * @return the newest complete checkpoint, if any
     * @throws IOException when a checkpoint exists but cannot be read
     */
    Optional<Checkpoint> latest() throws IOException;

    /**
     * Saves a checkpoint atomically: a crash leaves the previous one or this one, never half of it.
     *
     * @param checkpoint the checkpoint
     * @throws IOException when it cannot be written
     */
    void save(Checkpoint checkpoint) throws IOException;
}
