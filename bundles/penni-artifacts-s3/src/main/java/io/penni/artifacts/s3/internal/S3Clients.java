package io.penni.artifacts.s3.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Builds the S3 client the store uses, with its retries, back-off and time-outs, from the store's configuration
 * (the server's component and the command line's {@link S3ConfigFile} both come here).
 */
final class S3Clients {

    /** The environment variables read when the configuration holds no credentials. */
    static final String ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID";
    static final String SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY";

    private S3Clients() {
    }

    /**
     * Where and how to reach the server.
     *
     * @param endpoint the server's URL; empty for AWS's own endpoint of the region
     * @param region the region (any name for a server that ignores it, such as MinIO)
     * @param pathStyle bucket in the path ({@code http://host/bucket/key}) rather than the host name
     * @param accessKey the access key id
     * @param secretKey the secret key
     * @param attempts tries per request, the first included, with exponential back-off and jitter between them
     * @param timeout the most one try may take; a server that does not answer fails the request, it never hangs
     */
    record Settings(String endpoint, String region, boolean pathStyle, String accessKey, String secretKey,
            int attempts, Duration timeout) {

        /** @return the settings without the secret, for logs */
        @Override
        public String toString() {
            return "endpoint=" + (endpoint.isEmpty() ? "(AWS)" : endpoint) + ", region=" + region + ", pathStyle="
                    + pathStyle + ", accessKey=" + (accessKey.isEmpty() ? "(none)" : "(set)") + ", attempts="
                    + attempts + ", timeout=" + timeout;
        }
    }

    /**
     * The client's settings from the store's configuration; the credentials are the configuration's, else the
     * environment's.
     *
     * @param config the configuration
     * @param env the environment (a variable's value, or null)
     * @return the settings
     * @throws IllegalArgumentException when neither holds credentials
     */
    static Settings settings(S3ArtifactStoreComponent.Config config, Function<String, String> env) {
        String accessKey = config.accessKey().isEmpty() ? env(env, ACCESS_KEY_ENV) : config.accessKey();
        String secretKey = config.secretKey().isEmpty() ? env(env, SECRET_KEY_ENV) : config.secretKey();
        if (accessKey.isEmpty() || secretKey.isEmpty()) {
            throw new IllegalArgumentException("penni.artifacts.s3: no credentials: set accessKey and secretKey, or the "
                    + "environment variables " + ACCESS_KEY_ENV + " and " + SECRET_KEY_ENV);
        }
        return new Settings(config.endpoint(), config.region(), config.pathStyleAccess(), accessKey, secretKey,
                Math.max(1, config.attempts()), Duration.ofSeconds(Math.max(1, config.timeoutSeconds())));
    }

    /**
     * @param config the configuration
     * @return the multipart part size in bytes (at least 5 MiB)
     */
    static long partSize(S3ArtifactStoreComponent.Config config) {
        return Math.max(5L, config.partSizeMiB()) << 20;
    }

    private static String env(Function<String, String> env, String name) {
        return Optional.ofNullable(env.apply(name)).orElse("");
    }

    static S3Client build(Settings s) {
        // the SDK finds its interceptors and the like through the context class loader: make it this bundle's
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(S3Clients.class.getClassLoader());
        try {
            S3ClientBuilder builder = S3Client.builder()
                    .region(Region.of(s.region()))
                    .forcePathStyle(s.pathStyle())
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(s.accessKey(), s.secretKey())))
                    // S3-compatible servers differ in the newer checksum headers; the store checks SHA-256 itself
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .httpClient(UrlConnectionHttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(10))
                            .socketTimeout(s.timeout())
                            .build())
                    .overrideConfiguration(o -> o
                            .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                    .maxAttempts(s.attempts())
                                    .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(200),
                                            Duration.ofSeconds(10)))
                                    .build())
                            .apiCallAttemptTimeout(s.timeout()));
            if (!s.endpoint().isEmpty()) {
                builder.endpointOverride(URI.create(s.endpoint()));
            }
            return builder.build();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
