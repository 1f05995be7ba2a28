package io.penni.artifacts.s3.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.artifacts.s3.testing.S3Server;

/** The server's configuration file read outside the framework, as the command line reads it. */
class S3ConfigFileTest {

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve(S3ConfigFile.NAME), text);
    }

    @Test
    void theShippedExampleReadsWithTheComponentsDefaultsForWhatItLeavesOut() throws Exception {
        Path example = Path.of("../../runtime-config/penni.artifacts.s3.cfg.example");
        S3ArtifactStoreComponent.Config config = S3ConfigFile.read(example);
        assertEquals("http://127.0.0.1:9000", config.endpoint());
        assertEquals("penni", config.bucket());
        assertTrue(config.pathStyleAccess());
        assertEquals(16, config.partSizeMiB());
        S3ArtifactStoreComponent.Config sparse = S3ConfigFile.read(file("bucket=b\n"));
        assertEquals("", sparse.endpoint());
        assertEquals("us-east-1", sparse.region());
        assertEquals(5, sparse.attempts());
        assertEquals(300, sparse.timeoutSeconds());
        assertEquals("artifacts-s3", sparse.local());
    }

    @Test
    void aValueOfTheWrongTypeOrAMissingBucketNamesTheFileAndTheKey() throws Exception {
        Path file = file("bucket=b\nattempts=five\n");
        assertEquals(file + ": attempts must be a whole number, was 'five'",
                assertThrows(IllegalArgumentException.class, () -> S3ConfigFile.read(file)).getMessage());
        Files.writeString(file, "bucket=b\npathStyleAccess=yes\n");
        assertEquals(file + ": pathStyleAccess must be true or false, was 'yes'",
                assertThrows(IllegalArgumentException.class, () -> S3ConfigFile.read(file)).getMessage());
        Files.writeString(file, "endpoint=http://s3:9000\n");
        assertEquals(file + ": no bucket; it has no default",
                assertThrows(IllegalArgumentException.class, () -> S3ConfigFile.read(file)).getMessage());
    }

    @Test
    void credentialsComeFromTheFileElseTheEnvironmentAndAreNeverInMessages() throws Exception {
        Path file = file("bucket=b\naccessKey=file-key\nsecretKey=file-secret\n");
        S3Clients.Settings fromFile = S3Clients.settings(S3ConfigFile.read(file), name -> "env-value");
        assertEquals("file-key", fromFile.accessKey());
        assertEquals("file-secret", fromFile.secretKey());
        assertFalse(fromFile.toString().contains("file-secret"), fromFile.toString());
        assertFalse(S3ConfigFile.read(file).toString().contains("file-secret"));
        Files.writeString(file, "bucket=b\n");
        Map<String, String> env = Map.of(S3Clients.ACCESS_KEY_ENV, "env-key", S3Clients.SECRET_KEY_ENV, "env-secret");
        S3Clients.Settings fromEnv = S3Clients.settings(S3ConfigFile.read(file), env::get);
        assertEquals("env-key", fromEnv.accessKey());
        assertEquals("env-secret", fromEnv.secretKey());
        assertEquals("penni.artifacts.s3: no credentials: set accessKey and secretKey, or the environment variables "
                + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", assertThrows(IllegalArgumentException.class,
                        () -> S3ConfigFile.open(file, name -> null, dir)).getMessage());
    }

    @Test
    void theStoreItOpensStreamsWhatTheServersStoreWroteAndSaysWhatIsMissing() throws Exception {
        try (S3Server server = S3Server.start(dir.resolve("s3"))) {
            server.createBucket("penni");
            Path file = file("endpoint=" + server.endpoint() + "\nbucket=penni\nprefix=team/\nattempts=2\n");
            Map<String, String> env = Map.of(S3Clients.ACCESS_KEY_ENV, S3Server.ACCESS_KEY, S3Clients.SECRET_KEY_ENV,
                    S3Server.SECRET_KEY);
            try (S3ArtifactStore store = S3ConfigFile.open(file, env::get, dir.resolve("var"))) {
                ArtifactRef ref = store.write("job-1", "report.md", new byte[] {1, 2, 3});
                assertEquals("s3://penni/team/jobs/job-1/report.md", ref.uri().toString());
                try (InputStream in = store.read(ref)) {
                    assertArrayEquals(new byte[] {1, 2, 3}, in.readAllBytes());
                }
                ArtifactRef gone = store.find("job-1", "report.md").map(r -> new ArtifactRef(
                        URI.create(r.uri() + ".old"), r.sha256(), r.size())).orElseThrow();
                assertEquals("artifact s3://penni/team/jobs/job-1/report.md.old is missing from the store",
                        assertThrows(IOException.class, () -> store.read(gone)).getMessage());
                ArtifactRef elsewhere = new ArtifactRef(URI.create("s3://other/jobs/job-1/report.md"),
                        ref.sha256(), 3);
                assertEquals("artifact s3://other/jobs/job-1/report.md is not in this store (s3://penni/team/)",
                        assertThrows(IOException.class, () -> store.read(elsewhere)).getMessage());
            }
            assertFalse(Files.exists(dir.resolve("var")), "streaming writes nothing locally");
        }
    }

    @Test
    void anUnreachableServerIsAnIOExceptionWithinTheConfiguredAttempts() throws Exception {
        S3Server server = S3Server.start(dir.resolve("s3"));
        server.close();
        Path file = file("endpoint=" + server.endpoint() + "\nbucket=penni\nattempts=2\naccessKey=k\nsecretKey=s\n");
        try (S3ArtifactStore store = S3ConfigFile.open(file, name -> null, dir)) {
            ArtifactRef ref = new ArtifactRef(URI.create("s3://penni/jobs/j/report.md"), "00", 1);
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> store.read(ref));
            assertTrue(e.getMessage().startsWith("cannot read artifact s3://penni/jobs/j/report.md: "), e.getMessage());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos());
        }
    }
}
