/**
 * The backend-independent lowering of a network: {@link io.penni.model.lowering.LoweringPlan} says which layers
 * fuse into which step (batch norm, ReLU, residual add and non-overlapping pooling into the step before them),
 * which layers are views of another's values (flatten, dropout), and which buffer slot each step's output takes
 * and when that slot is free again. Every inference backend builds its own steps from one plan, so the rules
 * live in one place; {@link io.penni.model.lowering.BatchNormAffine} is the per-channel map a folded batch norm
 * applies.
 */
@Export
@Version("1.0.0")
package io.penni.model.lowering;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
