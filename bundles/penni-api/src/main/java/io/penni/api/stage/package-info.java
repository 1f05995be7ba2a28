/**
 * The stage SPI: a stage is a pure compute service that turns a job's inputs into artifacts; it knows nothing of Kafka.
 */
@Export
@Version("2.0.0")
package io.penni.api.stage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
