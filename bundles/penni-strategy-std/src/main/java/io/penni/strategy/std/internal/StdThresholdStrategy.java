package io.penni.strategy.std.internal;

import java.util.ArrayList;
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
 * PENNI's pruning rule (section 3.3 of the paper): in each tensor it is given, keep a value c when it was kept
 * before and {@code |c| ≥ s · std}, where std is the population standard deviation of all the tensor's values.
 * Which tensors are prunable is the pruner's decision, not the strategy's.
 *
 * <p>Configuration PID {@value #PID}, optional: without it, s = 1.0 as in the paper.
 */
@Component(service = PruningStrategy.class,
        configurationPid = StdThresholdStrategy.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {PruningStrategy.NAME + "=" + StdThresholdStrategy.NAME,
            PruningStrategy.DESCRIPTION + "=prune coefficients with |c| < s·std(c) of their layer"})
@Designate(ocd = StdThresholdStrategy.Config.class)
public final class StdThresholdStrategy extends TypedPruningStrategy<StdThresholdStrategy.Settings> {

    /** The strategy's name, its {@value PruningStrategy#NAME} property. */
    public static final String NAME = "std-threshold";

    /** The configuration PID. */
    public static final String PID = "penni.strategy.std";

    /** The strategy's configuration. */
    @ObjectClassDefinition(name = "PENNI std-threshold pruning",
            description = "PENNI's rule: prune the coefficients of each layer whose magnitude is below s times the "
                    + "standard deviation of that layer's coefficients.")
    public @interface Config {
        /** @return the threshold factor */
        @AttributeDefinition(name = "s", description = "prune coefficients with |c| < s·std(c) of their layer; "
                + "a finite number >= 0 (0 prunes nothing). Default 1.0, the paper's setting.")
        double s() default 1.0;
    }

    /** The threshold factor. */
    static final Parameter<Double> S = Parameter.number("s", 0);

    /** The settings a mask is computed with. */
    record Settings(double s) {
    }

    /** Builds the strategy with the defaults of {@link Config}. */
    public StdThresholdStrategy() {
        super(StrategyParameters.declare(NAME, Config.class, v -> new Settings(v.get(S)), S));
    }

    /**
     * Takes the configured s. An unusable s is refused: at activation the component then does not start (SCR
     * logs the message); on a change, the s it had stays.
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
        List<TensorMask> masks = new ArrayList<>(scores.size());
        for (PrunableTensor tensor : scores) {
            double threshold = settings.s() * standardDeviation(tensor.values());
            float[] values = tensor.values();
            boolean[] previous = tensor.previousMask();
            boolean[] keep = new boolean[values.length];
            for (int i = 0; i < values.length; i++) {
                keep[i] = previous[i] && Math.abs(values[i]) >= threshold;
            }
            masks.add(new TensorMask(tensor.layer(), keep));
        }
        return new MaskOutcome.Masks(masks);
    }

    /** Population standard deviation, in double precision, by two passes (mean, then squared deviations). */
    private static double standardDeviation(float[] values) {
        if (values.length == 0) {
            return 0;
        }
        double mean = 0;
        for (float v : values) {
            mean += v;
        }
        mean /= values.length;
        double squares = 0;
        for (float v : values) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / values.length);
    }
}
