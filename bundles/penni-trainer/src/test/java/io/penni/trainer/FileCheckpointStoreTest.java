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

import io.penni.api.model.Tensor;

class FileCheckpointStoreTest {

    @TempDir
    Path dir;

    @Test
    void aSavedCheckpointReadsBackWhole() throws IOException {
        FileCheckpointStore store = new FileCheckpointStore(dir.resolve("retrain"));
        assertEquals(Optional.empty(), store.latest());
        EpochReport report = new EpochReport("retrain", 1, 4, 0.01, "coefficients", 0.7, 0.8, OptionalDouble.of(0.75),
                OptionalDouble.empty(), 0.0, 0.41, 1234.5, 12.0);
        Checkpoint checkpoint = new Checkpoint("retrain", 1,
                Map.of("conv.basis", new Tensor(new int[] {2, 9}, new float[18]), "bn.running_var",
                        new Tensor(new int[] {2}, new float[] {1f, 2f})),
                Map.of("conv.basis", new Tensor(new int[] {2, 9}, new float[18])), List.of(report), "5eed");
        store.save(checkpoint);
        Checkpoint read = store.latest().orElseThrow();
        assertEquals(checkpoint, read);
        try (var files = Files.list(dir.resolve("retrain"))) {
            assertEquals(List.of(FileCheckpointStore.FILE), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aDamagedCheckpointIsAnErrorNamingTheFile() throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(FileCheckpointStore.FILE), new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> new FileCheckpointStore(dir).latest());
        assertTrue(e.getMessage().contains(FileCheckpointStore.FILE), e.getMessage());
    }
}
