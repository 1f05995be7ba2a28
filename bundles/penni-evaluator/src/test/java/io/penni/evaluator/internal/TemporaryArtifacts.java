package io.penni.evaluator.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;

/** A plain artifact store over a folder: what the stage writes really lands there, checksummed. */
final class TemporaryArtifacts implements ArtifactStore {

    private final Path root;

    TemporaryArtifacts(Path root) {
        this.root = root;
    }

    @Override
    public ArtifactRef put(String jobId, String name, Path source) throws IOException {
        return write(jobId, name, Files.readAllBytes(source));
    }

    @Override
    public ArtifactRef write(String jobId, String name, byte[] content) throws IOException {
        Path file = root.resolve(jobId).resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        return new ArtifactRef(file.toUri(), sha256(content), content.length);
    }

    @Override
    public Optional<ArtifactRef> find(String jobId, String name) {
        return Optional.empty();
    }

    @Override
    public Path open(ArtifactRef ref) {
        return Path.of(ref.uri());
    }

    @Override
    public Path workDir(String jobId, String stage) throws IOException {
        return Files.createDirectories(root.resolve(jobId).resolve("work").resolve(stage));
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
