package io.penni.api.health;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One part of the server that can say it is not ready to do its work (a consumer loop down and restarting, say),
 * registered as a service with the {@value #NAME} property naming the part. {@code /health/ready} answers 200 while
 * every check is ready and 503 with each reason otherwise.
 */
@ConsumerType
public interface ReadinessCheck {

    /** Service property: the part's name, e.g. {@code workflow}. */
    String NAME = "penni.readiness";

    /** @return why the part is not ready now, in one line; empty when it is ready */
    Optional<String> notReady();
}
