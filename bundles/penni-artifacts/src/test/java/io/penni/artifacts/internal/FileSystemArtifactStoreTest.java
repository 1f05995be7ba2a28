package io.penni.artifacts.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;

/** What only the file-system store does; the shared behaviour is {@link FileSystemArtifactStoreContractTest}. */
class FileSystemArtifactStoreTest {

    @TempDir
    Path root;

    @Test
    void writingTheSameNameAgainReplacesItAndLeavesNoTemporaryFiles() throws IOException {
        FileSystemArtifactStore store = new FileSystemArtifactStore(root);
        store.write("j", "a.bin", new byte[] {1});
        Path source = Files.write(root.resolve("src.bin"), new byte[] {2, 3});
        ArtifactRef second = store.put("j", "a.bin", source);
        assertArrayEquals(new byte[] {2, 3}, Files.readAllBytes(store.open(second)));
        try (var files = Files.list(root.resolve("jobs/j"))) {
            assertEquals(2, files.count(), "the artifact and its checksum only");
        }
    }

    @Test
    void anArtifactOfAnotherStoreIsRefused() throws IOException {
        Path other = Files.createDirectories(root.resolve("other"));
        ArtifactRef foreign = new FileSystemArtifactStore(other).write("j", "a", new byte[] {1});
        IOException e = assertThrows(IOException.class,
                () -> new FileSystemArtifactStore(root.resolve("mine")).open(foreign));
        assertTrue(e.getMessage().contains("outside the store"), e.getMessage());
    }

    @Test
    void workFoldersArePerJobAndStageAndSurviveANewStore() throws IOException {
        Path work = new FileSystemArtifactStore(root).workDir("j", "retrain");
        Files.writeString(work.resolve("epoch-3.json"), "{}");
        assertTrue(Files.exists(new FileSystemArtifactStore(root).workDir("j", "retrain").resolve("epoch-3.json")));
    }
}
