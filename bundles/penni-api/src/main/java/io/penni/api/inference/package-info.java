/**
 * The inference SPI: a backend loads a network and runs batches of it.
 */
@Export
@Version("1.1.0")
package io.penni.api.inference;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
