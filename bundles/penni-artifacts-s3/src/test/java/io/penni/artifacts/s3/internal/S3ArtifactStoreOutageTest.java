package io.penni.artifacts.s3.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.artifacts.s3.testing.S3Server;
import software.amazon.awssdk.services.s3.S3Client;

/** The store against a real S3 server that goes away: brief outages are retried, long ones fail clearly. */
class S3ArtifactStoreOutageTest {

    @TempDir
    Path dir;

    @Test
    void aWriteDuringABriefOutageIsRetriedWithBackOffAndLands() throws Exception {
        try (S3Server server = S3Server.start(dir.resolve("s3"));
                S3Client client = S3Clients.build(new S3Clients.Settings(server.endpoint().toString(), "us-east-1",
                        // enough attempts that the jittered back-off (each delay random up to its exponential
                        // bound) cannot spend them all within the outage: with 6 it sometimes gave up in 1.5 s
                        true, S3Server.ACCESS_KEY, S3Server.SECRET_KEY, 20, Duration.ofSeconds(10)))) {
            server.createBucket("bucket");
            S3ArtifactStore store = new S3ArtifactStore(client, "bucket", "", dir.resolve("local"), S3ArtifactStore.MIN_PART);
            server.stop();
            CompletableFuture<ArtifactRef> write = CompletableFuture.supplyAsync(() -> {
                try {
                    return store.write("j", "retrain/model.json", new byte[] {4, 2});
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1500);
            assertTrue(!write.isDone(), "the write waits for the server instead of failing at once");
            server.restart();
            ArtifactRef ref = write.get(60, TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {4, 2}, Files.readAllBytes(store.open(ref)));
        }
    }

    @Test
    void aServerThatStaysAwayIsAClearErrorNotAHang() throws Exception {
        S3Server server = S3Server.start(dir.resolve("s3"));
        server.createBucket("bucket");
        server.close();
        try (S3Client client = S3Clients.build(new S3Clients.Settings(server.endpoint().toString(), "us-east-1", true,
                S3Server.ACCESS_KEY, S3Server.SECRET_KEY, 3, Duration.ofSeconds(5)))) {
            S3ArtifactStore store = new S3ArtifactStore(client, "bucket", "", dir.resolve("local"), S3ArtifactStore.MIN_PART);
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> store.write("j", "a.json", new byte[] {1}));
            assertTrue(e.getMessage().startsWith("cannot store s3://bucket/jobs/j/a.json: "), e.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "gave up within the retries");
        }
    }
}
