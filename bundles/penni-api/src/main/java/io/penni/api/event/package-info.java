/**
 * Events: what happened to a job or a served model, carried as CloudEvents on the events topic.
 */
@Export
@Version("1.1.0")
package io.penni.api.event;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
