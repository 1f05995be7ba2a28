/**
 * The pruning SPI: a strategy computes keep-masks for prunable tensors, purely; the pruner stage applies them.
 */
@Export
@Version("1.0.0")
package io.penni.api.prune;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
