/**
 * Submitting a compression request other than by publishing it to Kafka (the dashboard's HTTP API): the same
 * validation and the same answer to a bad request as the Kafka intake's.
 */
@Export
@Version("1.0.0")
package io.penni.api.intake;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
