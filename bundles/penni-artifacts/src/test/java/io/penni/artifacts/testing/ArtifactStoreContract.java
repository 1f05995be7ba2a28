package io.penni.artifacts.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;

/**
 * What every {@link ArtifactStore} must do, run against each implementation by a subclass that makes the store and
 * can damage what it stored (as a disk fault or another writer would).
 */
public abstract class ArtifactStoreContract {

    /** A scratch folder for source files. */
    @TempDir
    protected Path scratch;

    /** @return a store, empty */
    protected abstract ArtifactStore store() throws IOException;

    /** @return the URI scheme the store's references carry */
    protected abstract String scheme();

    /** Replaces a stored artifact's bytes behind the store's back. */
    protected abstract void corrupt(ArtifactRef ref, byte[] content) throws IOException;

    /** Deletes a stored artifact behind the store's back. */
    protected abstract void delete(ArtifactRef ref) throws IOException;

    /** @return a size that makes the store split an upload into several parts (or any size where it does not) */
    protected long largeSize() {
        return 11L << 20;
    }

    @Test
    void writtenArtifactsAreFoundAndOpenedWithTheirChecksum() throws IOException {
        ArtifactStore store = store();
        ArtifactRef ref = store.write("job-1", "decompose/model.json", "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(scheme(), ref.uri().getScheme());
        assertEquals("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", ref.sha256());
        assertEquals(2, ref.size());
        assertEquals(Optional.of(ref), store.find("job-1", "decompose/model.json"));
        assertEquals("{}", Files.readString(store.open(ref)));
    }

    @Test
    void aGraphAndItsWeightsOpenSideBySide() throws IOException {
        ArtifactStore store = store();
        ArtifactRef graph = store.write("j", "retrain/model.json", new byte[] {1});
        ArtifactRef weights = store.write("j", "retrain/model.safetensors", new byte[] {2});
        assertEquals(store.open(graph).resolveSibling("model.safetensors"), store.open(weights));
    }

    @Test
    void puttingTheSameNameAgainReplacesIt() throws IOException {
        ArtifactStore store = store();
        ArtifactRef first = store.write("j", "a.bin", new byte[] {1});
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(store.open(first)));
        ArtifactRef second = store.put("j", "a.bin", Files.write(scratch.resolve("src.bin"), new byte[] {2, 3}));
        assertEquals(Optional.of(second), store.find("j", "a.bin"));
        assertArrayEquals(new byte[] {2, 3}, Files.readAllBytes(store.open(second)));
        IOException stale = assertThrows(IOException.class, () -> store.open(first));
        assertTrue(stale.getMessage().contains("changed since it was written"), stale.getMessage());
    }

    @Test
    void aLargeFileRoundTripsByteForByte() throws Exception {
        byte[] content = new byte[(int) largeSize() + 12345];
        new Random(7).nextBytes(content);
        Path source = Files.write(scratch.resolve("large.safetensors"), content);
        ArtifactStore store = store();
        ArtifactRef ref = store.put("j", "retrain/checkpoint.safetensors", source);
        assertEquals(content.length, ref.size());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), ref.sha256());
        assertEquals(Optional.of(ref), store.find("j", "retrain/checkpoint.safetensors"));
        assertArrayEquals(content, Files.readAllBytes(store.open(ref)));
    }

    @Test
    void aMissingArtifactIsNotFoundAndCannotBeOpened() throws IOException {
        ArtifactStore store = store();
        assertEquals(Optional.empty(), store.find("j", "never/written.json"));
        ArtifactRef ref = store.write("j", "gone.json", new byte[] {1});
        delete(ref);
        assertEquals(Optional.empty(), store.find("j", "gone.json"));
        IOException e = assertThrows(IOException.class, () -> store.open(ref));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void aChangedArtifactIsRefusedWhenOpened() throws IOException {
        ArtifactStore store = store();
        ArtifactRef ref = store.write("j", "model.safetensors", new byte[] {1, 2, 3});
        corrupt(ref, new byte[] {1, 2, 4});
        IOException e = assertThrows(IOException.class, () -> store.open(ref));
        assertTrue(e.getMessage().contains("changed since it was written"), e.getMessage());
    }

    @Test
    void jobIdsAndNamesCannotEscapeTheStore() throws IOException {
        ArtifactStore store = store();
        for (String bad : new String[] {"../x", "", "a/b", ".hidden", "x y"}) {
            assertThrows(IllegalArgumentException.class, () -> store.write(bad, "a", new byte[0]), bad);
        }
        for (String bad : new String[] {"../a", "a/../../b", "/abs", "a//b", "a.sha256"}) {
            assertThrows(IllegalArgumentException.class, () -> store.write("j", bad, new byte[0]), bad);
        }
    }

    @Test
    void workFoldersArePerJobAndStageAndExist() throws IOException {
        ArtifactStore store = store();
        Path retrain = store.workDir("j", "retrain");
        assertTrue(Files.isDirectory(retrain));
        Files.writeString(retrain.resolve("scratch.json"), "{}");
        assertTrue(Files.exists(store.workDir("j", "retrain").resolve("scratch.json")));
        assertTrue(!retrain.equals(store.workDir("j", "finetune")) && !retrain.equals(store.workDir("k", "retrain")));
    }
}
