package io.penni.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactStore;
import io.penni.api.model.Tensor;
import io.penni.artifacts.internal.FileSystemArtifactStore;

class StoredCheckpointsTest {

    @TempDir
    Path dir;

    private static Checkpoint checkpoint(int epochs, float value) {
        EpochReport report = new EpochReport("retrain", epochs, 4, 0.01, "coefficients", 0.7, 0.8,
                OptionalDouble.of(0.75), OptionalDouble.empty(), 0.0, 0.41, 1234.5, 12.0);
        return new Checkpoint("retrain", epochs, Map.of("conv.basis", new Tensor(new int[] {2}, new float[] {value, 1f})),
                Map.of("conv.basis", new Tensor(new int[] {2}, new float[2])), List.of(report));
    }

    @Test
    void anotherHostWithAnEmptyWorkFolderResumesFromTheStoresCheckpoint() throws IOException {
        ArtifactStore shared = new FileSystemArtifactStore(dir.resolve("store"));
        new StoredCheckpoints(shared, "job-1", "retrain", dir.resolve("host-a")).save(checkpoint(2, 3f));
        StoredCheckpoints onB = new StoredCheckpoints(shared, "job-1", "retrain", dir.resolve("host-b"));
        assertEquals(Optional.of(checkpoint(2, 3f)), onB.latest());
        assertTrue(shared.find("job-1", onB.name()).isPresent());
    }

    @Test
    void theStoresNewerCheckpointWinsOverAStaleLocalOne() throws IOException {
        ArtifactStore shared = new FileSystemArtifactStore(dir.resolve("store"));
        new StoredCheckpoints(shared, "j", "retrain", dir.resolve("host-a")).save(checkpoint(1, 1f));
        new StoredCheckpoints(shared, "j", "retrain", dir.resolve("host-b")).save(checkpoint(3, 9f));
        assertEquals(3, new StoredCheckpoints(shared, "j", "retrain", dir.resolve("host-a")).latest().orElseThrow()
                .completedEpochs());
    }

    @Test
    void aCheckpointChangedInTheStoreIsAnErrorNotASilentRestart() throws IOException {
        ArtifactStore shared = new FileSystemArtifactStore(dir.resolve("store"));
        StoredCheckpoints checkpoints = new StoredCheckpoints(shared, "j", "retrain", dir.resolve("host-a"));
        checkpoints.save(checkpoint(1, 1f));
        Path stored = Path.of(shared.find("j", checkpoints.name()).orElseThrow().uri());
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length - 1] ^= 1;
        Files.write(stored, bytes);
        IOException e = assertThrows(IOException.class, checkpoints::latest);
        assertTrue(e.getMessage().contains("changed since it was written"), e.getMessage());
    }
}
