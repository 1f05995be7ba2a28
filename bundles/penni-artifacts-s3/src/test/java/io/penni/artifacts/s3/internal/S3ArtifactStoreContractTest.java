package io.penni.artifacts.s3.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.artifacts.s3.testing.S3Server;
import io.penni.artifacts.testing.ArtifactStoreContract;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The store contract on the S3 store, against a real S3 server (S3Proxy, file-system back end). */
class S3ArtifactStoreContractTest extends ArtifactStoreContract {

    static final String BUCKET = "penni-artifacts";
    private static final AtomicInteger STORES = new AtomicInteger();

    @TempDir
    static Path serverFolder;
    static S3Server server;
    private S3Client client;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start(serverFolder);
        server.createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    static S3Clients.Settings settings(S3Server server) {
        return new S3Clients.Settings(server.endpoint().toString(), "us-east-1", true, S3Server.ACCESS_KEY,
                S3Server.SECRET_KEY, 3, Duration.ofSeconds(30));
    }

    @Override
    protected ArtifactStore store() {
        client = S3Clients.build(settings(server));
        // a prefix per store, so each test starts empty; 5 MiB parts, so the large file goes up in three
        return new S3ArtifactStore(client, BUCKET, "t" + STORES.incrementAndGet() + "/", scratch.resolve("local"),
                S3ArtifactStore.MIN_PART);
    }

    @Override
    protected String scheme() {
        return "s3";
    }

    @Override
    protected void corrupt(ArtifactRef ref, byte[] content) {
        client.putObject(b -> b.bucket(BUCKET).key(ref.uri().getPath().substring(1)), RequestBody.fromBytes(content));
    }

    @Override
    protected void delete(ArtifactRef ref) throws IOException {
        client.deleteObject(b -> b.bucket(BUCKET).key(ref.uri().getPath().substring(1)));
    }
}
