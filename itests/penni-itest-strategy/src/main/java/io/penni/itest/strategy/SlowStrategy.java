package io.penni.itest.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Component;

import io.penni.api.prune.MaskOutcome;
import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.PruningStrategy;
import io.penni.api.prune.TensorMask;

/**
 * {@code itest-slow}: keeps what the previous masks keep and prunes every value whose magnitude is below
 * {@code below} (default 0: nothing), after waiting {@code delay.ms} milliseconds, so that a test can remove or
 * update its bundle while a job is pruning with it. The answer is built before the wait: a bundle uninstalled
 * meanwhile can no longer load classes, and the instance must still finish its job.
 */
@Component(property = {PruningStrategy.NAME + "=" + SlowStrategy.NAME,
    PruningStrategy.DESCRIPTION + "=itest strategy: prunes |c| < below after waiting delay.ms"})
public final class SlowStrategy implements PruningStrategy {

    /** The strategy's name. */
    public static final String NAME = "itest-slow";

    @Override
    public Optional<String> checkParameters(Map<String, String> parameters) {
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            boolean valid = switch (p.getKey()) {
                case "delay.ms" -> p.getValue().matches("\\d{1,6}");
                case "below" -> p.getValue().matches("\\d+(\\.\\d+)?");
                default -> false;
            };
            if (!valid) {
                return Optional.of("strategy " + NAME + ": parameter '" + p.getKey() + "' is unknown or not a "
                        + "number >= 0: '" + p.getValue() + "'");
            }
        }
        return Optional.empty();
    }

    @Override
    public Map<String, String> parameters() {
        return Map.of("delay.ms", "0", "below", "0");
    }

    @Override
    public MaskOutcome computeMask(List<PrunableTensor> scores, Map<String, String> parameters) {
        Optional<String> problem = checkParameters(parameters);
        if (problem.isPresent()) {
            return new MaskOutcome.Invalid(problem.get());
        }
        double below = Double.parseDouble(parameters.getOrDefault("below", "0"));
        List<TensorMask> masks = new ArrayList<>();
        for (PrunableTensor tensor : scores) {
            boolean[] keep = tensor.previousMask().clone();
            for (int i = 0; i < keep.length; i++) {
                keep[i] &= Math.abs(tensor.values()[i]) >= below;
            }
            masks.add(new TensorMask(tensor.layer(), keep));
        }
        MaskOutcome answer = new MaskOutcome.Masks(masks);
        long until = System.currentTimeMillis() + Long.parseLong(parameters.getOrDefault("delay.ms", "0"));
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
