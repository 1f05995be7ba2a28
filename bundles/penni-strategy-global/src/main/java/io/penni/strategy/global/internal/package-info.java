/**
 * The global-magnitude pruning strategy: one magnitude threshold over all prunable layers, to an exact count.
 *
 * <p>The bundle registers {@link io.penni.strategy.global.internal.GlobalMagnitudeStrategy} as a
 * {@link io.penni.api.prune.PruningStrategy} with {@code penni.strategy=global-magnitude}. It needs no
 * configuration; the configuration PID {@value io.penni.strategy.global.internal.GlobalMagnitudeStrategy#PID}
 * sets the default {@code amount} (a fraction in [0, 1), default 0.5), and a job can override it with the pruning
 * parameter {@code amount}. Nothing here is exported: the strategy is used only as a service.
 */
package io.penni.strategy.global.internal;
