package io.penni.strategy.global.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 * Global magnitude pruning: one threshold over the magnitudes of every tensor it is given, so that layers with
 * small values lose more than layers with large ones.
 *
 * <p>Exactly {@code round(amount × K)} values are pruned (half rounded up, computed in decimal from the amount as
 * written), where K is how many values the previous masks keep over all tensors. Values pruned before are not in
 * K, are never chosen and stay pruned. The pruned values are the K's smallest by |value|; among equal magnitudes
 * the one that comes first in network order (tensor position, then row-major index) goes first, so the same input
 * always gives the same masks. A NaN counts as larger than every number.
 *
 * <p>Configuration PID {@value #PID}, optional: without it, amount = 0.5.
 */
@Component(service = PruningStrategy.class,
        configurationPid = GlobalMagnitudeStrategy.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {PruningStrategy.NAME + "=" + GlobalMagnitudeStrategy.NAME,
            PruningStrategy.DESCRIPTION + "=prune exactly round(amount x kept) of the smallest |c| over all layers"})
@Designate(ocd = GlobalMagnitudeStrategy.Config.class)
public final class GlobalMagnitudeStrategy extends TypedPruningStrategy<GlobalMagnitudeStrategy.Settings> {

    /** The strategy's name, its {@value PruningStrategy#NAME} property. */
    public static final String NAME = "global-magnitude";

    /** The configuration PID. */
    public static final String PID = "penni.strategy.global";

    /** The strategy's configuration. */
    @ObjectClassDefinition(name = "PENNI global-magnitude pruning",
            description = "Prunes the smallest coefficients by magnitude over all prunable layers together, "
                    + "to an exact count.")
    public @interface Config {
        /** @return the fraction of the still-kept values to prune */
        @AttributeDefinition(name = "Amount", description = "Fraction of the values the previous masks keep (over "
                + "all layers) that one pruning removes: exactly round(amount x kept), half rounded up. A fraction "
                + "in [0, 1); counts are not accepted. Default 0.5.")
        double amount() default 0.5;
    }

    /** The fraction of the kept values to prune. */
    static final Parameter<BigDecimal> AMOUNT = Parameter.fraction("amount");

    /** The settings a mask is computed with. */
    record Settings(BigDecimal amount) {
    }

    /** Builds the strategy with the defaults of {@link Config}. */
    public GlobalMagnitudeStrategy() {
        super(StrategyParameters.declare(NAME, Config.class, v -> new Settings(v.get(AMOUNT)), AMOUNT));
    }

    /**
     * Takes the configured amount; an unusable one is refused (the component does not start, or keeps its amount).
     *
     * @param config the configuration
     */
    @Activate
    @Modified
    void configure(Config config) {
        configureDefaults(PID, config);
    }

    @Override
    protected MaskOutcome computeMask(List<PrunableTensor> scores, Settings settings) {
        long total = scores.stream().mapToLong(t -> t.values().length).sum();
        if (total > Integer.MAX_VALUE) {
            return new MaskOutcome.Invalid("strategy " + NAME + ": " + total + " values are more than it can rank");
        }
        // one flat keep array in network order: a value's flat index is its tie-break rank
        boolean[] keep = new boolean[(int) total];
        long[] ranked = new long[scores.stream().mapToInt(PrunableTensor::kept).sum()];
        int offset = 0;
        int candidates = 0;
        for (PrunableTensor tensor : scores) {
            System.arraycopy(tensor.previousMask(), 0, keep, offset, tensor.values().length);
            for (int i = 0; i < tensor.values().length; i++) {
                if (tensor.previousMask()[i]) {
                    // |v|'s float bits order like the magnitudes; the low half makes ties go in network order
                    ranked[candidates++] = (long) Float.floatToIntBits(Math.abs(tensor.values()[i])) << 32
                            | (offset + i);
                }
            }
            offset += tensor.values().length;
        }
        Arrays.sort(ranked);
        long prune = settings.amount().multiply(BigDecimal.valueOf(ranked.length)).setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
        for (int r = 0; r < prune; r++) {
            keep[(int) ranked[r]] = false;
        }
        List<TensorMask> masks = new ArrayList<>(scores.size());
        offset = 0;
        for (PrunableTensor tensor : scores) {
            masks.add(new TensorMask(tensor.layer(), Arrays.copyOfRange(keep, offset, offset + tensor.values().length)));
            offset += tensor.values().length;
        }
        return new MaskOutcome.Masks(masks);
    }
}
