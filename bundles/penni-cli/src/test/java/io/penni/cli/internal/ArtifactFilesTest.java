package io.penni.cli.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;

class ArtifactFilesTest {

    @TempDir
    Path dir;

    private ArtifactRef stored(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return new ArtifactRef(file.toUri(), ArtifactFiles.sha256(bytes), bytes.length);
    }

    @Test
    void theSha256IsLowercaseHex() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                ArtifactFiles.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void anUnchangedArtifactIsRead() throws Exception {
        ArtifactRef ref = stored("report.md", "# report\n");
        assertArrayEquals("# report\n".getBytes(StandardCharsets.UTF_8), ArtifactFiles.read(ref, "report.md"));
    }

    @Test
    void aChangedArtifactIsNotCopiedAndLeavesNoFileBehind() throws Exception {
        ArtifactRef ref = stored("model.json", "{}");
        Files.writeString(Path.of(ref.uri()), "{\"changed\": true}");
        Path target = dir.resolve("out.json");
        CliException e = assertThrows(CliException.class, () -> ArtifactFiles.copy(ref, target, "model"));
        assertTrue(e.getMessage().contains("(model) does not match its SHA-256"), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(dir.resolve("out.json.part")));
    }

    @Test
    void aCopiedArtifactHasTheSameBytes() throws Exception {
        ArtifactRef ref = stored("w.safetensors", "weights");
        Path target = dir.resolve("copy.safetensors");
        ArtifactFiles.copy(ref, target, "weights");
        assertEquals("weights", Files.readString(target));
    }

    @Test
    void anArtifactOfAnUnknownSchemeIsRefusedSayingWhy() {
        ArtifactRef ref = new ArtifactRef(URI.create("https://host/report.md"), "00", 1);
        CliException e = assertThrows(CliException.class, () -> ArtifactFiles.read(ref, "report.md of job 7"));
        assertEquals("report.md of job 7 is at https://host/report.md, which is neither a file: nor an s3: URI; the "
                + "CLI reads artifacts from the server's file-system store (on this machine) or its S3 store",
                e.getMessage());
    }

    @Test
    void aMissingArtifactSaysTheStoreIsOnTheServersMachine() {
        Path file = dir.resolve("gone.md");
        ArtifactRef ref = new ArtifactRef(file.toUri(), "00", 1);
        CliException e = assertThrows(CliException.class, () -> ArtifactFiles.read(ref, "report.md"));
        assertEquals(file + " (report.md): no such file; the artifact store is on the server's machine (run the CLI "
                + "there) or the file was removed", e.getMessage());
    }

    @Test
    void theFileNameIsTheLastSegmentOfTheUri() {
        assertEquals("model.safetensors", ArtifactFiles.fileName(new ArtifactRef(
                URI.create("file:/var/artifacts/j/shrink/model.safetensors"), "00", 1)));
    }
}
