/**
 * The native tensor runtime (ND4J) as a service, so that stages start only once it is initialised.
 */
@Export
@Version("1.0.0")
package io.penni.api.compute;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
