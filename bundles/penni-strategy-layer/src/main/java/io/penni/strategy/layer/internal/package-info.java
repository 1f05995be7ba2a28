/**
 * The layer-sparsity pruning strategy: the same fraction of every prunable layer, by magnitude, with per-layer
 * overrides.
 *
 * <p>The bundle registers {@link io.penni.strategy.layer.internal.LayerSparsityStrategy} as a
 * {@link io.penni.api.prune.PruningStrategy} with {@code penni.strategy=layer-sparsity}. It needs no
 * configuration; the configuration PID {@value io.penni.strategy.layer.internal.LayerSparsityStrategy#PID} sets
 * the default {@code amount} (a fraction in [0, 1), default 0.5) and {@code overrides} ({@code layer=fraction}
 * entries). A job can override them with the pruning parameters {@code amount} and {@code layer.<name>}. Nothing
 * here is exported: the strategy is used only as a service.
 */
package io.penni.strategy.layer.internal;
