/**
 * Shrinking: {@link io.penni.shrinker.ChannelShrinker} finds the output channels, input channels and basis
 * kernels of a pruned model that can go without changing its function, as a serialisable
 * {@link io.penni.shrinker.ShrinkPlan}, which {@link io.penni.shrinker.ShrinkPlan#apply} then carries out.
 */
@Export
@Version("2.0.0")
package io.penni.shrinker;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
