/**
 * Compression requests, their hyper-parameters and the state of a job. Every field's default is the PENNI paper's setting.
 */
@Export
@Version("1.2.0")
package io.penni.api.job;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
