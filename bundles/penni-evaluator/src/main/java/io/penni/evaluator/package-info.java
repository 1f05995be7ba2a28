/** The evaluate stage for runs outside the container. */
@Export
@Version("1.0.0")
package io.penni.evaluator;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
