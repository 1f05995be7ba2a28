package io.penni.artifacts.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;

class FileSystemArtifactStoreTest {

    @TempDir
    Path root;

    @Test
    void writtenArtifactsAreFoundAndOpenedWithTheirChecksum() throws IOException {
        FileSystemArtifactStore store = new FileSystemArtifactStore(root);
        ArtifactRef ref = store.write("job-1", "decompose/model.json", "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", ref.sha256());
        assertEquals(2, ref.size());
        assertEquals(Optional.of(ref), store.find("job-1", "decompose/model.json"));
        assertEquals("{}", Files.readString(store.open(ref)));
        assertTrue(store.open(ref).startsWith(root.resolve("jobs/job-1")));
    }

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
    void aChangedFileIsRefusedWhenOpened() throws IOException {
        FileSystemArtifactStore store = new FileSystemArtifactStore(root);
        ArtifactRef ref = store.write("j", "model.safetensors", new byte[] {1, 2, 3});
        Files.write(Path.of(ref.uri()), new byte[] {1, 2, 4});
        IOException e = assertThrows(IOException.class, () -> store.open(ref));
        assertTrue(e.getMessage().contains("changed since it was written"), e.getMessage());
    }

    @Test
    void jobIdsAndNamesCannotEscapeTheStore() {
        FileSystemArtifactStore store = new FileSystemArtifactStore(root);
        for (String bad : new String[] {"../x", "", "a/b", ".hidden", "x y"}) {
            assertThrows(IllegalArgumentException.class, () -> store.write(bad, "a", new byte[0]), bad);
        }
        for (String bad : new String[] {"../a", "a/../../b", "/abs", "a//b", "a.sha256"}) {
            assertThrows(IllegalArgumentException.class, () -> store.write("j", bad, new byte[0]), bad);
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
