package com.example.penni.strategy;

import java.util.ArrayList;
import java.util.Comparator;
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
 * An example strategy: in every output channel of every prunable tensor (the first dimension: N of a [N, C, d]
 * coefficient tensor), keep the k values of largest magnitude among those kept before and prune the rest. Among
 * equal magnitudes the lower index is kept. A channel that kept k or fewer values keeps them all.
 *
 * <p>A strategy is a plain component: a {@link PruningStrategy} service with a {@code penni.strategy} name and a
 * one-line {@code penni.strategy.description}. Its typed configuration (PID {@value #PID}) gives the defaults; a
 * request may override them per job with the pruning parameters. Extending {@link TypedPruningStrategy}, it declares
 * each parameter once ({@link Parameter}: name, type, range) and gets the request's values read, range-checked and
 * merged with the configured ones as a typed {@link Settings}; a bad value is refused with one line naming it.
 */
@Component(service = PruningStrategy.class,
        configurationPid = ChannelTopKStrategy.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {PruningStrategy.NAME + "=" + ChannelTopKStrategy.NAME,
            PruningStrategy.DESCRIPTION + "=keep the k largest |c| of each output channel"})
@Designate(ocd = ChannelTopKStrategy.Config.class)
public final class ChannelTopKStrategy extends TypedPruningStrategy<ChannelTopKStrategy.Settings> {

    /** The strategy's name: what a request's {@code pruning.strategy} says to use it. */
    public static final String NAME = "channel-top-k";

    /** The configuration PID: a file {@code runtime-config/com.example.penni.strategy.topk.cfg} holding k=3. */
    public static final String PID = "com.example.penni.strategy.topk";

    /** The strategy's configuration, shown with names and descriptions by any metatype console. */
    @ObjectClassDefinition(name = "Example channel-top-k pruning",
            description = "Keeps the k largest-magnitude values of each output channel.")
    public @interface Config {
        /** @return values kept per output channel */
        @AttributeDefinition(name = "k", description = "Values kept in each output channel; an integer >= 1. "
                + "Default 2.")
        int k() default 2;
    }

    /** The request parameter {@code k}: its name, type and range; its default is {@link Config#k()}'s. */
    static final Parameter<Integer> K = Parameter.integer("k", 1);

    /** The typed settings a mask is computed with: the configured k, or the request's. */
    record Settings(int k) {
    }

    /** Builds the strategy with the defaults of {@link Config}. */
    public ChannelTopKStrategy() {
        super(StrategyParameters.declare(NAME, Config.class, v -> new Settings(v.get(K)), K));
    }

    @Activate
    @Modified
    void configure(Config config) {
        configureDefaults(PID, config);
    }

    @Override
    protected MaskOutcome computeMask(List<PrunableTensor> scores, Settings settings) {
        int keepPerChannel = settings.k();
        List<TensorMask> masks = new ArrayList<>();
        for (PrunableTensor tensor : scores) {
            float[] values = tensor.values();
            boolean[] keep = new boolean[values.length];
            int perChannel = values.length / tensor.shape()[0];
            for (int start = 0; start < values.length; start += perChannel) {
                List<Integer> kept = new ArrayList<>();
                for (int i = start; i < start + perChannel; i++) {
                    if (tensor.previousMask()[i]) {
                        kept.add(i);
                    }
                }
                // largest magnitude first; List.sort is stable, so equal magnitudes stay in index order
                kept.sort(Comparator.comparingDouble((Integer i) -> Math.abs(values[i])).reversed());
                kept.stream().limit(keepPerChannel).forEach(i -> keep[i] = true);
            }
            masks.add(new TensorMask(tensor.layer(), keep));
        }
        return new MaskOutcome.Masks(masks);
    }
}
