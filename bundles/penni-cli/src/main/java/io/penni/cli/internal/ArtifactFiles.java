package io.penni.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.penni.api.artifact.ArtifactRef;

/**
 * Reads a job's artifacts from the server's artifact store, and checks each against the SHA-256 its event or job
 * state carries, so the CLI never shows or copies a file that is not what the job produced. The file-system store's
 * artifacts ({@code file:} URIs) are read on this machine, the S3 store's ({@code s3:} URIs) from the bucket, with
 * the server's configuration ({@link S3Artifacts}).
 */
public final class ArtifactFiles {

    private ArtifactFiles() {
    }

    /**
     * An artifact opened for reading, how messages name where it is (a file, or the object's URI) and what it is
     * there ({@code file} or {@code object}).
     */
    private record Opened(InputStream in, String where, String kind) {
    }

    /**
     * @param ref an artifact
     * @param what what it is, for messages (e.g. {@code report.md of job 7})
     * @return its bytes, checked
     * @throws CliException when it cannot be reached or read, is missing, or does not match its checksum
     */
    public static byte[] read(ArtifactRef ref, String what) {
        Opened source = open(ref, what);
        byte[] bytes;
        try (InputStream in = source.in()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new CliException(source.where() + " (" + what + "): cannot read it: " + e.getMessage(),
                    CliException.FAILED);
        }
        check(ref, sha256(bytes), source, what);
        return bytes;
    }

    /**
     * Copies an artifact into a file, checking it on the way; the target is written only when the copy is right.
     *
     * @param ref an artifact
     * @param target the file to write
     * @param what what it is, for messages
     * @throws CliException when the artifact cannot be read, does not match its checksum, or the target cannot be
     *         written
     */
    public static void copy(ArtifactRef ref, Path target, String what) {
        Opened source = open(ref, what);
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        MessageDigest digest = digest();
        try (InputStream in = new DigestInputStream(source.in(), digest);
                OutputStream out = Files.newOutputStream(partial)) {
            in.transferTo(out);
        } catch (NoSuchFileException e) {
            throw new CliException(target.getParent() + ": cannot write there: no such folder", CliException.FAILED);
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new CliException("cannot copy " + source.where() + " (" + what + ") to " + target + ": "
                    + e.getMessage(), CliException.FAILED);
        }
        try {
            check(ref, HexFormat.of().formatHex(digest.digest()), source, what);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException("cannot write " + target + ": " + e.getMessage(), CliException.FAILED);
        } finally {
            deleteQuietly(partial);
        }
    }

    /**
     * @param ref an artifact
     * @return the last segment of its URI's path, e.g. {@code model.safetensors}
     */
    public static String fileName(ArtifactRef ref) {
        String path = ref.uri().getPath() == null ? ref.uri().getSchemeSpecificPart() : ref.uri().getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * @param bytes some bytes
     * @return their SHA-256, lowercase hex
     */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static Opened open(ArtifactRef ref, String what) {
        URI uri = ref.uri();
        if ("s3".equals(uri.getScheme())) {
            return new Opened(S3Artifacts.open(ref, what), uri.toString(), "object");
        }
        if (!"file".equals(uri.getScheme())) {
            throw new CliException(what + " is at " + uri + ", which is neither a file: nor an s3: URI; the CLI "
                    + "reads artifacts from the server's file-system store (on this machine) or its S3 store",
                    CliException.FAILED);
        }
        Path file;
        try {
            file = Path.of(uri);
        } catch (IllegalArgumentException e) {
            throw new CliException(what + " is at " + uri + ", which is not a usable file URI: " + e.getMessage(),
                    CliException.FAILED);
        }
        try {
            return new Opened(Files.newInputStream(file), file.toString(), "file");
        } catch (NoSuchFileException e) {
            throw missing(file, what);
        } catch (IOException e) {
            throw new CliException(file + " (" + what + "): cannot read it: " + e.getMessage(), CliException.FAILED);
        }
    }

    private static void check(ArtifactRef ref, String actual, Opened source, String what) {
        if (!actual.equalsIgnoreCase(ref.sha256())) {
            throw new CliException(source.where() + " (" + what + ") does not match its SHA-256: the job recorded "
                    + ref.sha256() + ", the " + source.kind() + " has " + actual + "; it was changed after the job "
                    + "wrote it", CliException.FAILED);
        }
    }

    private static CliException missing(Path file, String what) {
        return new CliException(file + " (" + what + "): no such file; the artifact store is on the server's "
                + "machine (run the CLI there) or the file was removed", CliException.FAILED);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover .part file is harmless and says what happened
        }
    }
}
