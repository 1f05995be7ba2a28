package io.penni.strategy.protect.internal;

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
import io.penni.api.prune.TensorKind;
import io.penni.api.prune.TensorMask;
import io.penni.strategy.support.Parameter;
import io.penni.strategy.support.StrategyParameters;
import io.penni.strategy.support.TypedPruningStrategy;

/**
 * Protects the layers that cost accuracy most and prunes the rest by what a coefficient contributes: its score is
 * {@code |c| · ‖basis_j‖}, the size of the kernel it adds ({@code c · basis_j}), rather than |c| alone; a tensor
 * without bases (a 1×1 weight) is scored by |w|.
 *
 * <p>Protected, never pruned: the first prunable layer (it reads the image, when {@code protect.first}) and every
 * layer with fewer than {@code min.width} output channels. Over all other tensors together exactly
 * {@code round(amount × K)} values are pruned (half rounded up, in decimal), K being how many values their previous
 * masks keep; the lowest scores go first, ties to the value first in network order. Values pruned before do not
 * count in K and stay pruned.
 *
 * <p>Configuration PID {@value #PID}, optional: without it, amount 0.5, min.width 16, protect.first true.
 */
@Component(service = PruningStrategy.class,
        configurationPid = ProtectCriticalStrategy.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {PruningStrategy.NAME + "=" + ProtectCriticalStrategy.NAME,
            PruningStrategy.DESCRIPTION + "=keep the first and narrow layers whole; prune the rest by |c|·‖basis‖"})
@Designate(ocd = ProtectCriticalStrategy.Config.class)
public final class ProtectCriticalStrategy extends TypedPruningStrategy<ProtectCriticalStrategy.Settings> {

    /** The strategy's name, its {@value PruningStrategy#NAME} property. */
    public static final String NAME = "protect-critical";

    /** The configuration PID. */
    public static final String PID = "penni.strategy.protect";

    /** The strategy's configuration. */
    @ObjectClassDefinition(name = "PENNI protect-critical pruning",
            description = "Keeps the first and narrow layers whole and prunes the others by |c| times the norm of "
                    + "the basis kernel the coefficient weighs.")
    public @interface Config {
        /** @return the fraction of the unprotected kept values to prune */
        @AttributeDefinition(name = "Amount", description = "Fraction of the still-kept values of the unprotected "
                + "layers to prune: exactly round(amount x kept), half rounded up. A fraction in [0, 1); counts "
                + "are not accepted. Default 0.5.")
        double amount() default 0.5;

        /** @return the narrowest layer that may be pruned */
        @AttributeDefinition(name = "Minimum width", description = "Layers with fewer output channels than this are "
                + "never pruned (0 protects none by width). An integer >= 0. Default 16.")
        int min_width() default 16;

        /** @return whether the first prunable layer is protected */
        @AttributeDefinition(name = "Protect the first layer", description = "Never prune the first prunable layer, "
                + "which sees the raw image. Default true.")
        boolean protect_first() default true;
    }

    /** The fraction of the unprotected kept values to prune. */
    static final Parameter<BigDecimal> AMOUNT = Parameter.fraction("amount");

    /** The narrowest layer that may be pruned. */
    static final Parameter<Integer> MIN_WIDTH = Parameter.integer("min.width", 0);

    /** Whether the first prunable layer is protected. */
    static final Parameter<Boolean> PROTECT_FIRST = Parameter.flag("protect.first");

    /** The settings a mask is computed with. */
    record Settings(BigDecimal amount, int minWidth, boolean protectFirst) {
    }

    /** Builds the strategy with the defaults of {@link Config}. */
    public ProtectCriticalStrategy() {
        super(StrategyParameters.declare(NAME, Config.class,
                v -> new Settings(v.get(AMOUNT), v.get(MIN_WIDTH), v.get(PROTECT_FIRST)),
                AMOUNT, MIN_WIDTH, PROTECT_FIRST));
    }

    /**
     * Takes the configuration; an unusable one is refused (the component does not start, or keeps what it had).
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
        BigDecimal amount = settings.amount();
        int minWidth = settings.minWidth();
        boolean protectFirst = settings.protectFirst();
        long total = scores.stream().mapToLong(t -> t.values().length).sum();
        if (total > Integer.MAX_VALUE) {
            return new MaskOutcome.Invalid("strategy " + NAME + ": " + total + " values are more than it can rank");
        }
        // one flat keep array in network order: a value's flat index is its tie-break rank
        boolean[] keep = new boolean[(int) total];
        long[] ranked = new long[(int) total];
        int candidates = 0;
        int offset = 0;
        for (PrunableTensor tensor : scores) {
            int size = tensor.values().length;
            System.arraycopy(tensor.previousMask(), 0, keep, offset, size);
            int d = tensor.shape()[tensor.shape().length - 1];
            boolean weighted = tensor.kind() == TensorKind.COEFFICIENTS;
            if (weighted && tensor.basisNorms().length != d) {
                return new MaskOutcome.Invalid("strategy " + NAME + ": layer " + tensor.layer() + " has "
                        + tensor.basisNorms().length + " basis norms for " + d + " bases");
            }
            boolean protectedLayer = protectFirst && tensor.position() == 0 || tensor.shape()[0] < minWidth;
            for (int i = 0; i < size && !protectedLayer; i++) {
                if (tensor.previousMask()[i]) {
                    double norm = weighted ? tensor.basisNorms()[i % d] : 1;
                    float score = (float) (Math.abs((double) tensor.values()[i]) * norm);
                    // the score's float bits order like the scores; the flat index breaks ties in network order
                    ranked[candidates++] = (long) Float.floatToIntBits(score) << 32 | (offset + i);
                }
            }
            offset += size;
        }
        Arrays.sort(ranked, 0, candidates);
        long prune = amount.multiply(BigDecimal.valueOf(candidates)).setScale(0, RoundingMode.HALF_UP)
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
