package com.example.penni.strategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

/**
 * An example strategy: in every output channel of every prunable tensor (the first dimension: N of a [N, C, d]
 * coefficient tensor), keep the k values of largest magnitude among those kept before and prune the rest. Among
 * equal magnitudes the lower index is kept. A channel that kept k or fewer values keeps them all.
 *
 * <p>A strategy is a plain component: a {@link PruningStrategy} service with a {@code penni.strategy} name and a
 * one-line {@code penni.strategy.description}. Its typed configuration (PID {@value #PID}) gives the defaults; a
 * request may override them per job with the pruning parameters, which {@link #checkParameters} validates.
 */
@Component(configurationPid = ChannelTopKStrategy.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {PruningStrategy.NAME + "=" + ChannelTopKStrategy.NAME,
            PruningStrategy.DESCRIPTION + "=keep the k largest |c| of each output channel"})
@Designate(ocd = ChannelTopKStrategy.Config.class)
public final class ChannelTopKStrategy implements PruningStrategy {

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

    private volatile int k = 2;

    @Activate
    @Modified
    void configure(Config config) {
        if (config.k() < 1) {
            throw new IllegalArgumentException(PID + ": k must be an integer >= 1, was " + config.k());
        }
        k = config.k();
    }

    @Override
    public Optional<String> checkParameters(Map<String, String> parameters) {
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            if (!p.getKey().equals("k")) {
                return Optional.of("strategy " + NAME + ": unknown parameter '" + p.getKey() + "'; it takes only 'k'");
            }
            if (!p.getValue().trim().matches("0*[1-9]\\d{0,8}")) {
                return Optional.of("strategy " + NAME + ": parameter 'k' must be an integer >= 1, was '"
                        + p.getValue() + "'");
            }
        }
        return Optional.empty();
    }

    @Override
    public Map<String, String> parameters() {
        return Map.of("k", Integer.toString(k));
    }

    @Override
    public MaskOutcome computeMask(List<PrunableTensor> scores, Map<String, String> parameters) {
        Optional<String> problem = checkParameters(parameters);
        if (problem.isPresent()) {
            return new MaskOutcome.Invalid(problem.get());
        }
        int keepPerChannel = parameters.containsKey("k") ? Integer.parseInt(parameters.get("k").trim()) : k;
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
