/**
 * The std-threshold pruning strategy, PENNI's rule: in each layer, prune the coefficients whose magnitude is
 * below s times the standard deviation of that layer's coefficients.
 *
 * <p>The bundle registers {@link io.penni.strategy.std.internal.StdThresholdStrategy} as a
 * {@link io.penni.api.prune.PruningStrategy} with {@code penni.strategy=std-threshold}. It needs no
 * configuration; to change the default s, give the configuration PID {@value
 * io.penni.strategy.std.internal.StdThresholdStrategy#PID} the attribute {@code s} (a finite number ≥ 0, default
 * 1.0), e.g. a file {@code runtime-config/penni.strategy.std.cfg} holding {@code s=0.7}. A job can override it
 * with the pruning parameter {@code s}. Nothing here is exported: the strategy is used only as a service.
 */
package io.penni.strategy.std.internal;
