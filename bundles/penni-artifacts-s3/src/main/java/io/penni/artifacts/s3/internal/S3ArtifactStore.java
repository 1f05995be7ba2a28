package io.penni.artifacts.s3.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Artifacts as objects {@code <prefix>jobs/<job id>/<name>} in one bucket, each with its SHA-256 in the object's
 * metadata ({@code x-amz-meta-sha256}), written by one PUT (or one completed multipart upload), so a reader sees the
 * old object or the new one, never half of one. Stages read local files: {@link #open} downloads an object into a
 * local cache laid out like the bucket (a graph and its weights stay side by side), checking its SHA-256 against
 * the reference on every open. Work folders are local: what must survive a move to another host (checkpoints) is
 * put into the store by its owner.
 */
public class S3ArtifactStore implements ArtifactStore, AutoCloseable {

    /** The object metadata key holding an artifact's SHA-256. */
    static final String SHA256 = "sha256";
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern NAME_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** S3's smallest part but the last. */
    static final long MIN_PART = 5L << 20;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final Path local;
    private final long partSize;

    /**
     * Creates a store.
     *
     * @param s3 the client (its retries and time-outs are its configuration)
     * @param bucket the bucket
     * @param prefix prepended to every key: empty, or ending in {@code /}
     * @param local the folder for the download cache and the work folders
     * @param partSize files larger than this go up in parts of this size (at least 5 MiB)
     */
    public S3ArtifactStore(S3Client s3, String bucket, String prefix, Path local, long partSize) {
        if (partSize < MIN_PART) {
            throw new IllegalArgumentException("the multipart part size must be at least 5 MiB, was " + partSize);
        }
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("the key prefix must be empty or end in '/', was '" + prefix + "'");
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.local = local.toAbsolutePath().normalize();
        this.partSize = partSize;
    }

    /** Closes the client. */
    @Override
    public void close() {
        s3.close();
    }

    /** @return the client */
    protected final S3Client client() {
        return s3;
    }

    /** @return {@code s3://bucket/prefix}, for messages */
    public URI location() {
        return URI.create("s3://" + bucket + "/" + prefix);
    }

    @Override
    public final ArtifactRef put(String jobId, String name, Path source) throws IOException {
        String key = key(jobId, name);
        long size = Files.size(source);
        String sha256 = sha256(source);
        try {
            if (size > partSize) {
                multipart(key, source, size, sha256);
            } else {
                s3.putObject(b -> b.bucket(bucket).key(key).metadata(Map.of(SHA256, sha256)), RequestBody.fromFile(source));
            }
        } catch (SdkException e) {
            throw failure("cannot store " + uri(key), e);
        }
        return new ArtifactRef(uri(key), sha256, size);
    }

    @Override
    public final ArtifactRef write(String jobId, String name, byte[] content) throws IOException {
        String key = key(jobId, name);
        String sha256 = HexFormat.of().formatHex(digest().digest(content));
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).metadata(Map.of(SHA256, sha256)), RequestBody.fromBytes(content));
        } catch (SdkException e) {
            throw failure("cannot store " + uri(key), e);
        }
        return new ArtifactRef(uri(key), sha256, content.length);
    }

    @Override
    public final Optional<ArtifactRef> find(String jobId, String name) {
        String key = key(jobId, name);
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
            String sha256 = head.metadata().get(SHA256);
            if (sha256 == null || head.contentLength() == null) {
                return Optional.empty(); // not written by a store: as good as absent, the stage makes it again
            }
            return Optional.of(new ArtifactRef(uri(key), sha256, head.contentLength()));
        } catch (SdkException e) {
            // absent, or the server cannot say after the client's retries: the stage runs (again)
            return Optional.empty();
        }
    }

    @Override
    public final Path open(ArtifactRef ref) throws IOException {
        String key = keyOf(ref);
        Path cached = local.resolve("cache").resolve(bucket).resolve(key);
        if (Files.isRegularFile(cached) && sha256(cached).equals(ref.sha256())) {
            return cached;
        }
        Files.createDirectories(cached.getParent());
        Path temporary = Files.createTempFile(cached.getParent(), ".incoming-", ".tmp");
        try {
            MessageDigest digest = digest();
            try (InputStream in = new DigestInputStream(read(ref), digest);
                    OutputStream out = Files.newOutputStream(temporary)) {
                in.transferTo(out);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(ref.sha256())) {
                throw new IOException("artifact " + ref.uri() + " has SHA-256 " + actual + ", expected " + ref.sha256()
                        + ": it changed since it was written");
            }
            move(temporary, cached);
            return cached;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Reads an artifact's object as it streams from the server, unchecked: the caller checks its SHA-256 (as
     * {@link #open} does, and the command line, which copies artifacts to where the user asked rather than into
     * this store's cache).
     *
     * @param ref an artifact of this store
     * @return its bytes; a failure while reading them is an {@link IOException} saying what the server or the
     *         network said
     * @throws IOException when the artifact is not in this store's bucket and prefix, its object is missing, or
     *         the server cannot be reached after the client's retries
     */
    public final InputStream read(ArtifactRef ref) throws IOException {
        String key = keyOf(ref);
        InputStream object;
        try {
            object = s3.getObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            throw new IOException("artifact " + ref.uri() + " is missing from the store", e);
        } catch (SdkException e) {
            throw failure("cannot read artifact " + ref.uri(), e);
        }
        return new FilterInputStream(object) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (SdkException e) {
                    throw failure("cannot read artifact " + ref.uri(), e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (SdkException e) {
                    throw failure("cannot read artifact " + ref.uri(), e);
                }
            }
        };
    }

    @Override
    public final Path workDir(String jobId, String stage) throws IOException {
        Path dir = local.resolve("jobs").resolve(jobId(jobId)).resolve("work").resolve(segment(stage, "stage"));
        Files.createDirectories(dir);
        return dir;
    }

    private void multipart(String key, Path source, long size, String sha256) throws IOException {
        String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).metadata(Map.of(SHA256, sha256)))
                .uploadId();
        try (InputStream in = Files.newInputStream(source)) {
            List<CompletedPart> parts = new ArrayList<>();
            byte[] buffer = new byte[(int) Math.min(partSize, Integer.MAX_VALUE - 8)];
            for (int number = 1; (long) (number - 1) * partSize < size; number++) {
                int n = in.readNBytes(buffer, 0, buffer.length);
                int part = number;
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(upload).partNumber(part)
                        .contentLength((long) n), RequestBody.fromBytes(java.util.Arrays.copyOf(buffer, n))).eTag();
                parts.add(CompletedPart.builder().partNumber(part).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (IOException | SdkException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload));
            } catch (SdkException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
    }

    private String keyOf(ArtifactRef ref) throws IOException {
        URI uri = ref.uri();
        if (!"s3".equals(uri.getScheme()) || !bucket.equals(uri.getHost()) || uri.getPath() == null) {
            throw new IOException("artifact " + uri + " is not in this store (" + location() + ")");
        }
        String key = uri.getPath().substring(1);
        if (!key.startsWith(prefix + "jobs/") || key.contains("..")) {
            throw new IOException("artifact " + uri + " is outside this store's prefix (" + location() + ")");
        }
        return key;
    }

    private String key(String jobId, String name) {
        StringBuilder key = new StringBuilder(prefix).append("jobs/").append(jobId(jobId));
        for (String s : name.split("/", -1)) {
            key.append('/').append(segment(s, "artifact name '" + name + "'"));
        }
        return key.toString();
    }

    private URI uri(String key) {
        return URI.create("s3://" + bucket + "/" + key);
    }

    private static String jobId(String jobId) {
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new IllegalArgumentException("job id '" + jobId
                    + "' must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return jobId;
    }

    private static String segment(String segment, String what) {
        if (!NAME_SEGMENT.matcher(segment).matches() || segment.endsWith(".sha256")) {
            throw new IllegalArgumentException(what + ": '" + segment
                    + "' is not a plain name (letters, digits, '.', '_', '-', not ending in .sha256)");
        }
        return segment;
    }

    /** A client failure as an IOException whose message says what the server or the network said. */
    private static IOException failure(String what, SdkException e) {
        String reason = e instanceof S3Exception s && s.awsErrorDetails() != null
                ? s.awsErrorDetails().errorCode() + " (HTTP " + s.statusCode() + ")"
                : e.getMessage();
        return new IOException(what + ": " + reason, e);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
