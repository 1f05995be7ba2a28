/**
 * Pruning, done once for every strategy: {@link io.penni.pruner.Pruning} collects the prunable tensors of a
 * model, asks a {@link io.penni.api.prune.PruningStrategy} for keep-masks, enforces the mask contract, applies
 * the masks and makes dead filters exact; {@link io.penni.pruner.MaskFiles} stores the masks that fine-tuning
 * holds at zero.
 */
@Export
@Version("2.0.0")
package io.penni.pruner;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
