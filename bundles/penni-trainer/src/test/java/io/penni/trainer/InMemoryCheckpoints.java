package io.penni.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A checkpoint store in memory, for tests of the training loop. */
final class InMemoryCheckpoints implements CheckpointStore {
    final List<Checkpoint> saved = new ArrayList<>();

    @Override
    public Optional<Checkpoint> latest() {
        return saved.isEmpty() ? Optional.empty() : Optional.of(saved.get(saved.size() - 1));
    }

    @Override
    public void save(Checkpoint checkpoint) {
        saved.add(checkpoint);
    }
}
