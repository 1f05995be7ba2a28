package io.penni.itest.strategy;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import io.penni.api.prune.MaskOutcome;
import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.PruningStrategy;
import io.penni.api.prune.TensorMask;
import io.penni.strategy.support.Parameter;
import io.penni.strategy.support.StrategyParameters;
import io.penni.strategy.support.TypedPruningStrategy;

/**
 * {@code itest-slow}: keeps what the previous masks keep and prunes every value whose magnitude is below
 * {@code below} (default 0: nothing), after waiting {@code delay.ms} milliseconds, so that a test can remove or
 * update its bundle while a job is pruning with it. The answer is built before the wait: a bundle uninstalled
 * meanwhile can no longer load classes, and the instance must still finish its job.
 */
@Component(service = PruningStrategy.class, property = {PruningStrategy.NAME + "=" + SlowStrategy.NAME,
    PruningStrategy.DESCRIPTION + "=itest strategy: prunes |c| < below after waiting delay.ms"})
public final class SlowStrategy extends TypedPruningStrategy<SlowStrategy.Settings> {

    /** The strategy's name. */
    public static final String NAME = "itest-slow";

    /** The defaults; the strategy takes no configuration PID of its own. */
    public @interface Config {
        /** @return how long to wait before answering, in milliseconds */
        int delay_ms() default 0;

        /** @return the magnitude below which values are pruned */
        double below() default 0;
    }

    static final Parameter<Integer> DELAY_MS = Parameter.integer("delay.ms", 0);
    static final Parameter<Double> BELOW = Parameter.number("below", 0);

    record Settings(int delayMs, double below) {
    }

    /** Builds the strategy with the defaults of {@link Config}. */
    public SlowStrategy() {
        super(StrategyParameters.declare(NAME, Config.class, v -> new Settings(v.get(DELAY_MS), v.get(BELOW)),
                DELAY_MS, BELOW));
    }

    @Override
    protected MaskOutcome computeMask(List<PrunableTensor> scores, Settings settings) {
        List<TensorMask> masks = new ArrayList<>();
        for (PrunableTensor tensor : scores) {
            boolean[] keep = tensor.previousMask().clone();
            for (int i = 0; i < keep.length; i++) {
                keep[i] &= Math.abs(tensor.values()[i]) >= settings.below();
            }
            masks.add(new TensorMask(tensor.layer(), keep));
        }
        MaskOutcome answer = new MaskOutcome.Masks(masks);
        long until = System.currentTimeMillis() + settings.delayMs();
        while (System.currentTimeMillis() < until) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, until - System.currentTimeMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return answer;
            }
        }
        return answer;
    }
}
