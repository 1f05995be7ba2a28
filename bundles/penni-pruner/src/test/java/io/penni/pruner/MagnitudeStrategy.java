package io.penni.pruner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.penni.api.prune.MaskOutcome;
import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.PruningStrategy;
import io.penni.api.prune.TensorMask;

/**
 * A real, minimal strategy for these tests: keeps values with |v| ≥ t (parameter {@code t}, default 0.5) that
 * were kept before. Its answer can be bent to break the mask contract on purpose.
 */
public final class MagnitudeStrategy implements PruningStrategy {

    /** How the strategy misbehaves. */
    public enum Fault {
        /** None. */
        NONE,
        /** Keeps every value, ignoring the previous mask. */
        REVIVES,
        /** Returns one mask too few. */
        DROPS_A_MASK,
        /** Returns a first mask one value short. */
        SHORT_MASK,
        /** Throws. */
        THROWS,
        /** Cannot load a class, as a strategy whose bundle was uninstalled while it ran. */
        LOSES_ITS_BUNDLE
    }

    private final Fault fault;

    /** A well-behaved strategy. */
    public MagnitudeStrategy() {
        this(Fault.NONE);
    }

    /**
     * A strategy with a fault.
     *
     * @param fault how it misbehaves
     */
    public MagnitudeStrategy(Fault fault) {
        this.fault = fault;
    }

    @Override
    public Optional<String> checkParameters(Map<String, String> parameters) {
        String t = parameters.getOrDefault("t", "0.5");
        try {
            return Double.parseDouble(t) >= 0 ? Optional.empty()
                    : Optional.of("strategy magnitude: parameter 't' must be >= 0, was '" + t + "'");
        } catch (NumberFormatException e) {
            return Optional.of("strategy magnitude: parameter 't' must be a number, was '" + t + "'");
        }
    }

    @Override
    public Map<String, String> parameters() {
        return Map.of("t", "0.5");
    }

    @Override
    public MaskOutcome computeMask(List<PrunableTensor> scores, Map<String, String> parameters) {
        Optional<String> problem = checkParameters(parameters);
        if (problem.isPresent()) {
            return new MaskOutcome.Invalid(problem.get());
        }
        if (fault == Fault.THROWS) {
            throw new IllegalStateException("broken on purpose");
        }
        if (fault == Fault.LOSES_ITS_BUNDLE) {
            throw new NoClassDefFoundError("io/example/Gone");
        }
        double t = Double.parseDouble(parameters.getOrDefault("t", "0.5"));
        List<TensorMask> masks = new ArrayList<>();
        for (PrunableTensor tensor : scores) {
            boolean[] keep = new boolean[tensor.values().length - (fault == Fault.SHORT_MASK ? 1 : 0)];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = fault == Fault.REVIVES
                        || tensor.previousMask()[i] && Math.abs(tensor.values()[i]) >= t;
            }
            masks.add(new TensorMask(tensor.layer(), keep));
        }
        return new MaskOutcome.Masks(fault == Fault.DROPS_A_MASK ? masks.subList(1, masks.size()) : masks);
    }
}
