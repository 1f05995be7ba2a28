/**
 * Artifacts: files a job produces (models, checkpoints, reports), addressed by URI and checked by SHA-256.
 */
@Export
@Version("1.0.0")
package io.penni.api.artifact;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
