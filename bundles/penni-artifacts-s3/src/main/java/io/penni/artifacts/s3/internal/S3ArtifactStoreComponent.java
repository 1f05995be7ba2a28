package io.penni.artifacts.s3.internal;

import java.nio.file.Path;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.api.artifact.ArtifactStore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/**
 * The artifact store on S3, present only when {@code runtime-config/penni.artifacts.s3.cfg} configures it. It
 * registers with a higher {@code service.ranking} than the file-system store, and the components that use a store
 * take the highest-ranked one (greedily), so every stage of the container uses this one once it is configured.
 */
@Component(service = ArtifactStore.class, configurationPid = S3ArtifactStoreComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {Constants.SERVICE_RANKING + ":Integer=100", "penni.artifacts.store=s3"})
@Designate(ocd = S3ArtifactStoreComponent.Config.class)
public final class S3ArtifactStoreComponent extends S3ArtifactStore {

    /** The configuration's PID: runtime-config/penni.artifacts.s3.cfg configures it. */
    static final String PID = "penni.artifacts.s3";
    private static final Logger LOG = LoggerFactory.getLogger(S3ArtifactStoreComponent.class);
    /** The environment variables read when the configuration holds no credentials. */
    static final String ACCESS_KEY_ENV = S3Clients.ACCESS_KEY_ENV;
    static final String SECRET_KEY_ENV = S3Clients.SECRET_KEY_ENV;

    /** Configuration of the S3 store. */
    @ObjectClassDefinition(name = "PENNI artifact store on S3",
            description = "Keeps jobs' models, checkpoints and reports in an S3 bucket (AWS S3, MinIO, Ceph, S3Proxy), "
                    + "so containers on several hosts share them.")
    public @interface Config {
        /** @return the server */
        @AttributeDefinition(name = "Endpoint", description = "The server's URL, e.g. http://minio:9000; empty for "
                + "AWS S3 itself in the region below.")
        String endpoint() default "";

        /** @return the bucket */
        @AttributeDefinition(name = "Bucket", description = "The bucket every container of the deployment uses.")
        String bucket();

        /** @return the key prefix */
        @AttributeDefinition(name = "Key prefix", description = "Prepended to every key: empty, or ending in '/', "
                + "e.g. penni/. Artifacts are <prefix>jobs/<job id>/<name>.")
        String prefix() default "";

        /** @return the region */
        @AttributeDefinition(name = "Region", description = "The bucket's region; servers that have none accept any.")
        String region() default "us-east-1";

        /** @return path-style access */
        @AttributeDefinition(name = "Path-style access", description = "Bucket in the URL's path (MinIO, S3Proxy, "
                + "Ceph) rather than in the host name (AWS).")
        boolean pathStyleAccess() default true;

        /** @return the access key */
        @AttributeDefinition(name = "Access key id", description = "Empty: from the environment variable "
                + ACCESS_KEY_ENV + ".")
        String accessKey() default "";

        /** @return the secret */
        @AttributeDefinition(name = "Secret access key", type = AttributeType.PASSWORD, description = "Empty: from "
                + "the environment variable " + SECRET_KEY_ENV + ". Never logged.")
        String secretKey() default "";

        /** @return whether to create the bucket */
        @AttributeDefinition(name = "Create the bucket", description = "Create the bucket at start when it does not "
                + "exist (handy for MinIO in compose; on AWS, create it yourself).")
        boolean createBucket() default false;

        /** @return the part size */
        @AttributeDefinition(name = "Multipart part size (MiB)", description = "Files larger than this are uploaded "
                + "in parts of this size; at least 5.")
        int partSizeMiB() default 16;

        /** @return attempts */
        @AttributeDefinition(name = "Attempts", description = "Tries per request, the first included, with "
                + "exponential back-off (0.2 s doubling to 10 s) on throttling, 5xx and network errors.")
        int attempts() default 5;

        /** @return the time-out */
        @AttributeDefinition(name = "Time-out (s)", description = "The most one try of one request may take.")
        int timeoutSeconds() default 300;

        /** @return the local folder */
        @AttributeDefinition(name = "Local folder", description = "Download cache and work folders on this host; "
                + "relative paths are relative to var/. Nothing here needs to survive: the bucket holds it all.")
        String local() default "artifacts-s3";
    }

    /**
     * @param config the configuration
     * @param context for {@code penni.var.dir}
     */
    @Activate
    public S3ArtifactStoreComponent(Config config, BundleContext context) {
        this(config, S3Clients.settings(config, System::getenv), Path.of(Optional.ofNullable(context.getProperty("penni.var.dir")).orElse("var")));
    }

    private S3ArtifactStoreComponent(Config config, S3Clients.Settings settings, Path var) {
        super(S3Clients.build(settings), config.bucket(), config.prefix(), var.resolve(config.local()),
                S3Clients.partSize(config));
        checkBucket(config);
        LOG.info("artifact store: {} ({})", location(), settings);
    }

    /** A missing bucket is said once here; stages then fail with the server's own answer, not a hang. */
    private void checkBucket(Config config) {
        try {
            client().headBucket(b -> b.bucket(config.bucket()));
        } catch (NoSuchBucketException e) {
            if (!config.createBucket()) {
                LOG.error("artifact store: bucket {} does not exist; create it, or set createBucket=true",
                        config.bucket());
                return;
            }
            try {
                client().createBucket(b -> b.bucket(config.bucket()));
                LOG.info("artifact store: created bucket {}", config.bucket());
            } catch (SdkException c) {
                LOG.error("artifact store: cannot create bucket {}: {}", config.bucket(), c.getMessage());
            }
        } catch (SdkException e) {
            LOG.error("artifact store: cannot reach bucket {}: {}", config.bucket(), e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
