package io.penni.cli.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.penni.api.artifact.ArtifactRef;
import io.penni.artifacts.s3.internal.S3ArtifactStore;

/**
 * How the command line reaches the S3 store: the base folder's configuration, and each way a read goes wrong as
 * one line. The server here is a fake that answers GETs of objects as S3 does (the real S3 server's part is in
 * penni-artifacts-s3's S3ConfigFileTest and in the TwoHostsTest system test); the client is the store's own.
 */
class S3ArtifactsTest {

    private static final String REPORT = "# report of job 7\n";

    @TempDir
    Path base;

    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private HttpServer server;

    @BeforeEach
    void startFakeS3() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = objects.get(exchange.getRequestURI().getPath());
            if (body == null) {
                body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The specified "
                        + "key does not exist.</Message></Error>").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/xml");
                exchange.sendResponseHeaders(404, body.length);
            } else {
                exchange.sendResponseHeaders(200, body.length);
            }
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        objects.put("/penni/jobs/7/report.md", REPORT.getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static ArtifactRef ref(String uri, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return new ArtifactRef(URI.create(uri), ArtifactFiles.sha256(bytes), bytes.length);
    }

    private void config(String text) throws Exception {
        Files.createDirectories(base.resolve("runtime-config"));
        Files.writeString(base.resolve(S3Artifacts.CONFIG), text);
    }

    private S3ArtifactStore store(ArtifactRef ref) {
        return S3Artifacts.store(base, Map.of("AWS_ACCESS_KEY_ID", "k", "AWS_SECRET_ACCESS_KEY", "s")::get, ref,
                "report.md of job 7");
    }

    @Test
    void anArtifactIsReadFromTheBucketTheServersConfigurationNames() throws Exception {
        config("endpoint=http://127.0.0.1:" + server.getAddress().getPort() + "\nbucket=penni\n");
        ArtifactRef ref = ref("s3://penni/jobs/7/report.md", REPORT);
        try (S3ArtifactStore store = store(ref); InputStream in = S3Artifacts.open(store, ref, "report.md of job 7")) {
            assertArrayEquals(REPORT.getBytes(StandardCharsets.UTF_8), in.readAllBytes());
        }
    }

    @Test
    void withoutTheConfigurationFileTheErrorSaysWhichFileToCopy() {
        ArtifactRef ref = ref("s3://penni/jobs/7/report.md", REPORT);
        CliException e = assertThrows(CliException.class, () -> store(ref));
        assertEquals("report.md of job 7 is at s3://penni/jobs/7/report.md, in the S3 artifact store, and there is no "
                + base.resolve("runtime-config/penni.artifacts.s3.cfg") + " to reach it: copy the server's there (or "
                + "set PENNI_BASE to a folder with one), with its credentials or AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY set", e.getMessage());
        assertEquals(CliException.FAILED, e.status());
    }

    @Test
    void aConfigurationWithoutCredentialsOrWithABadValueIsOneLineWithoutSecrets() throws Exception {
        ArtifactRef ref = ref("s3://penni/jobs/7/report.md", REPORT);
        config("bucket=penni\n");
        CliException e = assertThrows(CliException.class, () -> S3Artifacts.store(base, name -> null, ref,
                "report.md of job 7"));
        assertEquals("cannot read report.md of job 7 from the S3 artifact store: penni.artifacts.s3: no credentials: "
                + "set accessKey and secretKey, or the environment variables AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY", e.getMessage());
        config("bucket=penni\nsecretKey=top-secret\naccessKey=k\nattempts=many\n");
        e = assertThrows(CliException.class, () -> store(ref));
        assertTrue(e.getMessage().endsWith("penni.artifacts.s3.cfg: attempts must be a whole number, was 'many'"),
                e.getMessage());
        assertFalse(e.getMessage().contains("top-secret"));
    }

    @Test
    void aMissingObjectAnotherBucketAndChangedBytesAreEachOneClearLine() throws Exception {
        config("endpoint=http://127.0.0.1:" + server.getAddress().getPort() + "\nbucket=penni\nattempts=1\n");
        ArtifactRef gone = ref("s3://penni/jobs/7/report.json", "{}");
        try (S3ArtifactStore store = store(gone)) {
            CliException e = assertThrows(CliException.class, () -> S3Artifacts.open(store, gone, "report.json of job 7"));
            assertEquals("report.json of job 7: artifact s3://penni/jobs/7/report.json is missing from the store",
                    e.getMessage());
            ArtifactRef other = ref("s3://elsewhere/jobs/7/report.md", REPORT);
            e = assertThrows(CliException.class, () -> S3Artifacts.open(store, other, "report.md of job 7"));
            assertEquals("report.md of job 7: artifact s3://elsewhere/jobs/7/report.md is not in this store "
                    + "(s3://penni/)", e.getMessage());
        }
        objects.put("/penni/jobs/7/report.md", "# changed\n".getBytes(StandardCharsets.UTF_8));
        ArtifactRef changed = ref("s3://penni/jobs/7/report.md", REPORT);
        Path target = base.resolve("report.md");
        withBase(() -> {
            CliException e = assertThrows(CliException.class, () -> ArtifactFiles.copy(changed, target, "report.md"));
            assertTrue(e.getMessage().startsWith("s3://penni/jobs/7/report.md (report.md) does not match its SHA-256: "
                    + "the job recorded " + changed.sha256() + ", the object has "), e.getMessage());
        });
        assertFalse(Files.exists(target), "nothing is written when the bytes are wrong");
    }

    @Test
    void anUnreachableEndpointIsOneLineAfterTheConfiguredAttempts() throws Exception {
        int port = server.getAddress().getPort();
        server.stop(0);
        config("endpoint=http://127.0.0.1:" + port + "\nbucket=penni\nattempts=2\ntimeoutSeconds=5\n");
        ArtifactRef ref = ref("s3://penni/jobs/7/report.md", REPORT);
        try (S3ArtifactStore store = store(ref)) {
            CliException e = assertThrows(CliException.class, () -> S3Artifacts.open(store, ref, "report.md of job 7"));
            assertTrue(e.getMessage().startsWith("report.md of job 7: cannot read artifact s3://penni/jobs/7/report.md: "),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** Runs ArtifactFiles' own path, which opens this process's store, with the base folder here. */
    private void withBase(Runnable check) {
        // ArtifactFiles reads s3: artifacts through the process's store (PENNI_BASE); the test cannot set the
        // environment, so it opens the same store from this base folder through the package's test hook
        S3Artifacts.useForThisProcess(store(ref("s3://penni/jobs/7/report.md", REPORT)));
        try {
            check.run();
        } finally {
            S3Artifacts.useForThisProcess(null);
        }
    }
}
