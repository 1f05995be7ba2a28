package io.penni.strategy.layer.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.penni.api.prune.MaskOutcome;
import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.PruningStrategy;
import io.penni.api.prune.TensorMask;
import io.penni.strategy.support.Parameter;
import io.penni.strategy.support.StrategyParameters;
import io.penni.strategy.support.TypedPruningStrategy;

/**
 * Per-layer target sparsity: every tensor loses the same fraction of the values its previous mask keeps, the
 * smallest by |value| — exactly {@code round(fraction × kept)} of them (half rounded up, in decimal), so no layer
 * is emptied because another holds larger values. A layer may have its own fraction.
 *
 * <p>Values pruned before do not count as kept and stay pruned; among equal magnitudes the lower index goes first.
 * A request's {@code layer.<name>} must name a prunable layer (a typo is refused); a configured override whose
 * layer a model lacks is ignored, since one configuration serves every architecture.
 *
 * <p>Configuration PID {@value #PID}, optional: without it, amount = 0.5 for every layer.
 */
@Component(service = PruningStrategy.class,
        configurationPid = LayerSparsityStrategy.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {PruningStrategy.NAME + "=" + LayerSparsityStrategy.NAME,
            PruningStrategy.DESCRIPTION + "=prune the same fraction of every layer by |c|, with per-layer overrides"})
@Designate(ocd = LayerSparsityStrategy.Config.class)
public final class LayerSparsityStrategy extends TypedPruningStrategy<LayerSparsityStrategy.Settings> {

    /** The strategy's name, its {@value PruningStrategy#NAME} property. */
    public static final String NAME = "layer-sparsity";

    /** The configuration PID. */
    public static final String PID = "penni.strategy.layer";

    /** Prefix of a parameter giving one layer's fraction: {@code layer.conv3=0.2}. */
    public static final String LAYER_PREFIX = "layer.";

    /** The strategy's configuration. */
    @ObjectClassDefinition(name = "PENNI layer-sparsity pruning",
            description = "Prunes the same fraction of every prunable layer by magnitude, with per-layer overrides.")
    public @interface Config {
        /** @return every layer's fraction */
        @AttributeDefinition(name = "Amount", description = "Fraction of each layer's still-kept values to prune: "
                + "exactly round(amount x kept), half rounded up. A fraction in [0, 1); counts are not accepted. "
                + "Default 0.5.")
        double amount() default 0.5;

        /** @return per-layer fractions */
        @AttributeDefinition(name = "Layer overrides", description = "Entries 'layer=fraction' giving a layer its "
                + "own fraction in [0, 1), e.g. 'conv1=0.1'. A layer a model lacks is ignored. Default: none.")
        String[] overrides() default {};
    }

    /** Every layer's fraction. */
    static final Parameter<BigDecimal> AMOUNT = Parameter.fraction("amount");

    /** One layer's fraction, {@code layer.<name>}. */
    static final Parameter<BigDecimal> LAYER = Parameter.fraction(LAYER_PREFIX).perName();

    /**
     * The settings a mask is computed with.
     *
     * @param amount every layer's fraction
     * @param layers fractions by layer, configured and requested
     * @param requested the layers the request gave a fraction, which must be among the tensors
     */
    record Settings(BigDecimal amount, Map<String, BigDecimal> layers, Set<String> requested) {
    }

    /** Builds the strategy with the defaults of {@link Config}. */
    public LayerSparsityStrategy() {
        super(StrategyParameters.declare(NAME, Config.class,
                v -> new Settings(v.get(AMOUNT), v.each(LAYER), v.requested(LAYER)), AMOUNT, LAYER));
    }

    /**
     * Takes the configuration; an unusable one is refused (the component does not start, or keeps what it had).
     *
     * @param config the configuration
     */
    @Activate
    @Modified
    void configure(Config config) {
        Map<String, String> overrides = new TreeMap<>();
        for (String entry : config.overrides()) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(PID + ": override '" + entry + "' must be 'layer=fraction'");
            }
            overrides.put(LAYER_PREFIX + entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        configureDefaults(PID, config, overrides);
    }

    @Override
    protected MaskOutcome computeMask(List<PrunableTensor> scores, Settings settings) {
        List<String> layers = scores.stream().map(PrunableTensor::layer).toList();
        for (String layer : settings.requested()) {
            if (!layers.contains(layer)) {
                return new MaskOutcome.Invalid("strategy " + NAME + ": parameter '" + LAYER_PREFIX + layer
                        + "' names no prunable layer; they are " + String.join(", ", layers));
            }
        }
        List<TensorMask> masks = new ArrayList<>(scores.size());
        for (PrunableTensor tensor : scores) {
            BigDecimal own = settings.layers().getOrDefault(tensor.layer(), settings.amount());
            masks.add(new TensorMask(tensor.layer(), prune(tensor, own)));
        }
        return new MaskOutcome.Masks(masks);
    }

    /** The tensor's previous mask less its round(fraction × kept) smallest kept values. */
    private static boolean[] prune(PrunableTensor tensor, BigDecimal fraction) {
        float[] values = tensor.values();
        boolean[] keep = tensor.previousMask().clone();
        long[] ranked = new long[tensor.kept()];
        int n = 0;
        for (int i = 0; i < values.length; i++) {
            if (keep[i]) {
                // |v|'s float bits order like the magnitudes; the index in the low half breaks ties
                ranked[n++] = (long) Float.floatToIntBits(Math.abs(values[i])) << 32 | i;
            }
        }
        Arrays.sort(ranked);
        long prune = fraction.multiply(BigDecimal.valueOf(n)).setScale(0, RoundingMode.HALF_UP).longValueExact();
        for (int r = 0; r < prune; r++) {
            keep[(int) ranked[r]] = false;
        }
        return keep;
    }
}
