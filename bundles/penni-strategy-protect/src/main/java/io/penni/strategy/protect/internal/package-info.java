/**
 * The protect-critical pruning strategy: the first and narrow layers are never pruned, the others lose the
 * coefficients that contribute least, |c| times the norm of their basis kernel.
 *
 * <p>The bundle registers {@link io.penni.strategy.protect.internal.ProtectCriticalStrategy} as a
 * {@link io.penni.api.prune.PruningStrategy} with {@code penni.strategy=protect-critical}. It needs no
 * configuration; the configuration PID {@value io.penni.strategy.protect.internal.ProtectCriticalStrategy#PID}
 * sets the defaults of {@code amount} (a fraction in [0, 1), default 0.5), {@code min.width} (default 16) and
 * {@code protect.first} (default true), which a job can override with pruning parameters of the same names.
 * Nothing here is exported: the strategy is used only as a service.
 */
package io.penni.strategy.protect.internal;
