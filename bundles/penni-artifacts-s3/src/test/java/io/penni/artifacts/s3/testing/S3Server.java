package io.penni.artifacts.s3.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests: S3Proxy on its file-system back end, serving SigV4-signed requests on 127.0.0.1. It
 * can be stopped and started again on the same port and folder, as an outage of the object store.
 */
public final class S3Server implements AutoCloseable {

    /** The access key the server accepts. */
    public static final String ACCESS_KEY = "penni-test";
    /** The secret it accepts. */
    public static final String SECRET_KEY = "penni-test-secret";

    private final Path folder;
    private S3Proxy proxy;
    private int port;

    private S3Server(Path folder) {
        this.folder = folder;
    }

    /**
     * Starts a server keeping its buckets under a folder.
     *
     * @param folder one folder per bucket is made there
     * @return the running server
     * @throws Exception when it does not start
     */
    public static S3Server start(Path folder) throws Exception {
        S3Server server = new S3Server(Files.createDirectories(folder));
        server.startOn(0);
        return server;
    }

    /**
     * Makes a bucket, as an operator would before the containers start.
     *
     * @param bucket the name
     * @throws Exception when it cannot be made
     */
    public void createBucket(String bucket) throws Exception {
        try (S3Client client = S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build()) {
            client.createBucket(b -> b.bucket(bucket));
        }
    }

    /** @return the endpoint, {@code http://127.0.0.1:<port>} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** @return the folder the file-system back end keeps the buckets in */
    public Path folder() {
        return folder;
    }

    /**
     * Stops serving (an outage); {@link #restart()} serves the same buckets on the same port again.
     *
     * @throws Exception when it does not stop
     */
    public void stop() throws Exception {
        proxy.stop();
    }

    /**
     * Serves again after {@link #stop()}.
     *
     * @throws Exception when it does not start
     */
    public void restart() throws Exception {
        startOn(port);
    }

    private void startOn(int wanted) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", folder.toString());
        proxy = S3Proxy.builder()
                .blobStore(BlobStores.create("filesystem", properties))
                .endpoint(URI.create("http://127.0.0.1:" + wanted))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        port = proxy.getPort();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
