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
import io.penni.api.prune.TensorKind;
import io.penni.api.prune.TensorMask;
import io.penni.strategy.support.Parameter;
import io.penni.strategy.support.StrategyParameters;
import io.penni.strategy.support.TypedPruningStrategy;

/**
 * Per-layer target sparsity: every tensor loses the same fraction of the values its previous mask keeps, the
 * smallest by |value| — exactly {@code round(fraction × kept)} of them (half rounded up, in decimal), so no layer
 * is emptied because another holds larger values. A layer may have its own fraction.
 *
 * <p>Optionally whole maps go first ({@code maps}, {@code maps.<name>}): a decomposed convolution's map is one
 * input channel convolved with one basis kernel, the column {@code [:, c, j]} of its coefficients {@code [N, C,
 * d]}; it costs k² multiply-adds per output pixel whatever number of coefficients read it, so in a narrow layer
 * the maps, not the coefficients, are most of the work. Of the maps whose column still holds a kept value, the
 * {@code round(maps × used)} with the smallest sum of kept |c| lose all their values; the layer's remaining
 * budget, {@code kept − round(fraction × kept)} values, is then filled with the largest values of the surviving
 * maps (all of them, when they hold fewer). Other tensor kinds have no maps.
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

        /** @return every decomposed layer's fraction of maps to prune whole */
        @AttributeDefinition(name = "Maps", description = "Fraction of each decomposed convolution's used maps "
                + "(input channel x basis kernel) to prune whole, those whose kept coefficients have the smallest "
                + "sum of |c|, before the amount is taken from the rest. A fraction in [0, 1). Default 0: none.")
        double maps() default 0;
    }

    /** Every layer's fraction. */
    static final Parameter<BigDecimal> AMOUNT = Parameter.fraction("amount");

    /** One layer's fraction, {@code layer.<name>}. */
    static final Parameter<BigDecimal> LAYER = Parameter.fraction(LAYER_PREFIX).perName();

    /** Every decomposed layer's fraction of used maps to prune whole. */
    static final Parameter<BigDecimal> MAPS = Parameter.fraction("maps");

    /** One decomposed layer's fraction of maps, {@code maps.<name>}. */
    static final Parameter<BigDecimal> LAYER_MAPS = Parameter.fraction("maps.").perName();

    /**
     * The settings a mask is computed with.
     *
     * @param amount every layer's fraction
     * @param layers fractions by layer, configured and requested
     * @param requested the layers the request gave a fraction, which must be among the tensors
     * @param maps every decomposed layer's fraction of maps
     * @param layerMaps fractions of maps by layer
     * @param requestedMaps the layers the request gave a fraction of maps, which must be decomposed layers
     */
    record Settings(BigDecimal amount, Map<String, BigDecimal> layers, Set<String> requested, BigDecimal maps,
            Map<String, BigDecimal> layerMaps, Set<String> requestedMaps) {
    }

    /** Builds the strategy with the defaults of {@link Config}. */
    public LayerSparsityStrategy() {
        super(StrategyParameters.declare(NAME, Config.class,
                v -> new Settings(v.get(AMOUNT), v.each(LAYER), v.requested(LAYER), v.get(MAPS), v.each(LAYER_MAPS),
                        v.requested(LAYER_MAPS)), AMOUNT, LAYER, MAPS, LAYER_MAPS));
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
        List<String> decomposed = scores.stream().filter(t -> t.kind() == TensorKind.COEFFICIENTS)
                .map(PrunableTensor::layer).toList();
        for (String layer : settings.requestedMaps()) {
            if (!decomposed.contains(layer)) {
                return new MaskOutcome.Invalid("strategy " + NAME + ": parameter 'maps." + layer
                        + "' names no decomposed layer; they are " + String.join(", ", decomposed));
            }
        }
        List<TensorMask> masks = new ArrayList<>(scores.size());
        for (PrunableTensor tensor : scores) {
            BigDecimal own = settings.layers().getOrDefault(tensor.layer(), settings.amount());
            BigDecimal maps = tensor.kind() == TensorKind.COEFFICIENTS
                    ? settings.layerMaps().getOrDefault(tensor.layer(), settings.maps()) : BigDecimal.ZERO;
            masks.add(new TensorMask(tensor.layer(), prune(tensor, own, maps)));
        }
        return new MaskOutcome.Masks(masks);
    }

    /**
     * The tensor's previous mask less its round(maps × used) weakest maps and then less values, the smallest
     * first, until {@code kept − round(fraction × kept)} remain (or none but those of pruned maps).
     */
    private static boolean[] prune(PrunableTensor tensor, BigDecimal fraction, BigDecimal maps) {
        float[] values = tensor.values();
        boolean[] keep = tensor.previousMask().clone();
        int kept = tensor.kept();
        long keepCount = kept - rounded(fraction, kept);
        if (maps.signum() > 0) {
            pruneMaps(tensor.shape(), values, keep, maps);
        }
        long[] ranked = new long[kept];
        int n = 0;
        for (int i = 0; i < values.length; i++) {
            if (keep[i]) {
                // |v|'s float bits order like the magnitudes; the index in the low half breaks ties
                ranked[n++] = (long) Float.floatToIntBits(Math.abs(values[i])) << 32 | i;
            }
        }
        Arrays.sort(ranked, 0, n);
        for (int r = 0; r < n - keepCount; r++) {
            keep[(int) ranked[r]] = false;
        }
        return keep;
    }

    /**
     * Clears every value of the round(maps × used) used maps (columns {@code [:, c, j]} of {@code [N, C, d]})
     * with the smallest sum of kept |c|; among equal sums the lower column goes first.
     */
    private static void pruneMaps(int[] shape, float[] values, boolean[] keep, BigDecimal maps) {
        int columns = shape[1] * shape[2];
        double[] sums = new double[columns];
        boolean[] used = new boolean[columns];
        for (int i = 0; i < values.length; i++) {
            if (keep[i]) {
                sums[i % columns] += Math.abs(values[i]);
                used[i % columns] = true;
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int m = 0; m < columns; m++) {
            if (used[m]) {
                order.add(m);
            }
        }
        order.sort((a, b) -> sums[a] != sums[b] ? Double.compare(sums[a], sums[b]) : Integer.compare(a, b));
        long prune = rounded(maps, order.size());
        for (int r = 0; r < prune; r++) {
            for (int i = order.get(r); i < values.length; i += columns) {
                keep[i] = false;
            }
        }
    }

    /** round(fraction × n), half rounded up, in decimal. */
    private static long rounded(BigDecimal fraction, int n) {
        return fraction.multiply(BigDecimal.valueOf(n)).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
