package io.penni.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

import io.penni.api.artifact.ArtifactRef;
import io.penni.artifacts.s3.internal.S3ArtifactStore;
import io.penni.artifacts.s3.internal.S3ConfigFile;

/**
 * Jobs' artifacts in the S3 artifact store ({@code s3://bucket/key} URIs), read from the bucket itself with the
 * server's own store and client, configured by the server's file {@code runtime-config/penni.artifacts.s3.cfg}
 * under the base folder (credentials from it, else from {@code AWS_ACCESS_KEY_ID} and
 * {@code AWS_SECRET_ACCESS_KEY}); no server needs to run, and any host with that file and network access to the
 * bucket will do. The store is opened at the first such artifact a command reads and kept for the process.
 */
final class S3Artifacts {

    /** The configuration file, under the base folder. */
    static final String CONFIG = "runtime-config/" + S3ConfigFile.NAME;

    private static S3ArtifactStore forThisProcess;

    private S3Artifacts() {
    }

    /**
     * Opens an artifact of this process's S3 store (base folder from {@code PENNI_BASE}, credentials from the
     * environment when the file has none).
     *
     * @param ref an artifact with an {@code s3:} URI
     * @param what what it is, for messages
     * @return its bytes as they stream from the server, unchecked (the caller checks the SHA-256)
     * @throws CliException when there is no configuration, it is wrong, or the object cannot be read
     */
    static InputStream open(ArtifactRef ref, String what) {
        S3ArtifactStore store;
        synchronized (S3Artifacts.class) {
            if (forThisProcess == null) {
                forThisProcess = store(Command.baseFolder(), System::getenv, ref, what);
            }
            store = forThisProcess;
        }
        return open(store, ref, what);
    }

    /**
     * Sets the store {@link #open(ArtifactRef, String)} uses, as the first s3: artifact would (tests, which cannot
     * set {@code PENNI_BASE}).
     *
     * @param store the store, or null to open it again from the configuration at the next artifact
     */
    static synchronized void useForThisProcess(S3ArtifactStore store) {
        forThisProcess = store;
    }

    /**
     * Opens the store that a base folder's configuration describes.
     *
     * @param base the base folder
     * @param env the environment
     * @param ref the artifact that needs it, for messages
     * @param what what that is, for messages
     * @return the store
     * @throws CliException when the base folder has no configuration file, or it is wrong
     */
    static S3ArtifactStore store(Path base, Function<String, String> env, ArtifactRef ref, String what) {
        Path file = base.resolve(CONFIG);
        if (!Files.isRegularFile(file)) {
            throw new CliException(what + " is at " + ref.uri() + ", in the S3 artifact store, and there is no "
                    + file.normalize() + " to reach it: copy the server's there (or set PENNI_BASE to a folder with "
                    + "one), with its credentials or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set",
                    CliException.FAILED);
        }
        try {
            return S3ConfigFile.open(file, env, base.resolve("var"));
        } catch (IllegalArgumentException e) {
            throw new CliException("cannot read " + what + " from the S3 artifact store: " + firstLine(e.getMessage()),
                    CliException.FAILED);
        }
    }

    /**
     * Opens an artifact of a store.
     *
     * @param store the store
     * @param ref the artifact
     * @param what what it is, for messages
     * @return its bytes as they stream from the server, unchecked
     * @throws CliException when it is not in the store's bucket, is missing, or the server cannot be reached
     */
    static InputStream open(S3ArtifactStore store, ArtifactRef ref, String what) {
        try {
            return store.read(ref);
        } catch (IOException e) {
            throw new CliException(what + ": " + firstLine(e.getMessage()), CliException.FAILED);
        }
    }

    /** What a client message says in its first line (the SDK's can run on). */
    static String firstLine(String message) {
        String text = String.valueOf(message).strip();
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end).strip();
    }
}
