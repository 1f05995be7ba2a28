package io.penni.strategy.support;

import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.penni.api.prune.MaskOutcome;
import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.PruningStrategy;

/**
 * A {@link PruningStrategy} whose parameters are declared once as {@link StrategyParameters}: checking a
 * request's parameters, reporting the configured ones and converting them for {@link #computeMask(List, Object)}
 * happen here, once for every strategy, so that a strategy only computes masks from its typed settings.
 *
 * @param <C> the strategy's typed settings
 */
public abstract class TypedPruningStrategy<C> implements PruningStrategy {

    private volatile StrategyParameters<C> parameters;

    /**
     * @param declared the strategy's parameters with their default values
     */
    protected TypedPruningStrategy(StrategyParameters<C> declared) {
        this.parameters = Objects.requireNonNull(declared, "declared");
    }

    /**
     * Takes a configuration's values as the defaults. An unusable value is refused: called from an activate
     * method, the component then does not start (SCR logs the message); from a modified method, the defaults it had
     * stay.
     *
     * @param pid the configuration PID
     * @param config the configuration
     * @throws IllegalArgumentException naming the PID, the property, its range and the value
     */
    protected final void configureDefaults(String pid, Annotation config) {
        parameters = parameters.configure(pid, config);
    }

    /**
     * Takes a configuration's values and further entries as the defaults, as {@link #configureDefaults(String, Annotation)}.
     *
     * @param pid the configuration PID
     * @param config the configuration
     * @param more further entries, as a request would spell them
     * @throws IllegalArgumentException naming the PID, the property, its range and the value
     */
    protected final void configureDefaults(String pid, Annotation config, Map<String, String> more) {
        parameters = parameters.configure(pid, config, more);
    }

    @Override
    public final Optional<String> checkParameters(Map<String, String> request) {
        return parameters.convert(request).problem();
    }

    @Override
    public final Map<String, String> parameters() {
        return parameters.configured();
    }

    @Override
    public final MaskOutcome computeMask(List<PrunableTensor> scores, Map<String, String> request) {
        return parameters.convert(request).fold(settings -> computeMask(scores, settings), MaskOutcome.Invalid::new);
    }

    /**
     * Computes a keep-mask for each tensor, as {@link PruningStrategy#computeMask(List, Map)} does, from settings
     * already read and range-checked.
     *
     * @param scores the tensors, with their previous masks
     * @param settings the configured settings with the request's overrides
     * @return one mask per tensor in the same order, or why the strategy cannot prune them
     */
    protected abstract MaskOutcome computeMask(List<PrunableTensor> scores, C settings);
}
