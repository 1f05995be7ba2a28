/** Readiness: parts of the server that say when they cannot do their work, for {@code /health/ready}. */
@Export
@Version("1.0.0")
package io.penni.api.health;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
