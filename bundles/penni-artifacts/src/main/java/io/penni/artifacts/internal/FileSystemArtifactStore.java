package io.penni.artifacts.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;

/**
 * Artifacts as files under {@code root/jobs/<job id>/<name>}, written to a temporary file and moved into
 * place, so a reader (or a job redelivered after a crash) sees the old file or the new one, never half of
 * one. A file's SHA-256 is kept beside it and checked when it is opened.
 */
public final class FileSystemArtifactStore implements ArtifactStore {

    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern NAME_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String CHECKSUM_SUFFIX = ".sha256";

    private final Path root;

    /**
     * Creates a store.
     *
     * @param root its folder, created on first write
     */
    public FileSystemArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** @return the store's folder */
    public Path root() {
        return root;
    }

    @Override
    public ArtifactRef put(String jobId, String name, Path source) throws IOException {
        Path target = location(jobId, name);
        Files.createDirectories(target.getParent());
        Path temporary = Files.createTempFile(target.getParent(), ".incoming-", ".tmp");
        try {
            Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING);
            return commit(temporary, target);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    @Override
    public ArtifactRef write(String jobId, String name, byte[] content) throws IOException {
        Path target = location(jobId, name);
        Files.createDirectories(target.getParent());
        Path temporary = Files.createTempFile(target.getParent(), ".incoming-", ".tmp");
        try {
            Files.write(temporary, content);
            return commit(temporary, target);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    @Override
    public Optional<ArtifactRef> find(String jobId, String name) {
        Path target = location(jobId, name);
        Path checksum = checksumFile(target);
        try {
            if (!Files.isRegularFile(target) || !Files.isRegularFile(checksum)) {
                return Optional.empty();
            }
            return Optional.of(new ArtifactRef(target.toUri(), Files.readString(checksum).trim(), Files.size(target)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Path open(ArtifactRef ref) throws IOException {
        if (!"file".equals(ref.uri().getScheme())) {
            throw new IOException("artifact " + ref.uri() + " is not in a file store");
        }
        Path path = Path.of(ref.uri()).toAbsolutePath().normalize();
        if (!path.startsWith(root)) {
            throw new IOException("artifact " + ref.uri() + " is outside the store at " + root);
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("artifact " + ref.uri() + " is missing");
        }
        String actual = sha256(path);
        if (!actual.equals(ref.sha256())) {
            throw new IOException("artifact " + ref.uri() + " has SHA-256 " + actual + ", expected " + ref.sha256()
                    + ": it changed since it was written");
        }
        return path;
    }

    @Override
    public Path workDir(String jobId, String stage) throws IOException {
        Path dir = jobFolder(jobId).resolve("work").resolve(segment(stage, "stage"));
        Files.createDirectories(dir);
        return dir;
    }

    private ArtifactRef commit(Path temporary, Path target) throws IOException {
        String sha256 = sha256(temporary);
        long size = Files.size(temporary);
        move(temporary, target);
        Path checksum = checksumFile(target);
        Path checksumTemporary = Files.createTempFile(target.getParent(), ".incoming-", ".tmp");
        Files.writeString(checksumTemporary, sha256 + "\n");
        move(checksumTemporary, checksum);
        return new ArtifactRef(target.toUri(), sha256, size);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Path location(String jobId, String name) {
        Path path = jobFolder(jobId);
        String[] segments = name.split("/", -1);
        for (String s : segments) {
            path = path.resolve(segment(s, "artifact name '" + name + "'"));
        }
        return path;
    }

    private Path jobFolder(String jobId) {
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new IllegalArgumentException("job id '" + jobId
                    + "' must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return root.resolve("jobs").resolve(jobId);
    }

    private static String segment(String segment, String what) {
        if (!NAME_SEGMENT.matcher(segment).matches() || segment.endsWith(CHECKSUM_SUFFIX)) {
            throw new IllegalArgumentException(what + ": '" + segment
                    + "' is not a plain name (letters, digits, '.', '_', '-', not ending in " + CHECKSUM_SUFFIX + ")");
        }
        return segment;
    }

    private static Path checksumFile(Path target) {
        return target.resolveSibling(target.getFileName() + CHECKSUM_SUFFIX);
    }

    /**
     * @param file a file
     * @return its SHA-256, lowercase hex
     * @throws IOException when it cannot be read
     */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0;) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** @return a URI naming a job's folder, for messages */
    URI jobUri(String jobId) {
        return jobFolder(jobId).toUri();
    }
}
