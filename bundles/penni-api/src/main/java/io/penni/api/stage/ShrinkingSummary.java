package io.penni.api.stage;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the shrink stage reports: how each planned layer shrank and the model's size before and after.
 *
 * @param layers one row per planned layer
 * @param params the model's parameters
 * @param macs the model's multiply-accumulates per image
 */
public record ShrinkingSummary(List<Layer> layers, Change params, Change macs) implements StageSummary {

    /** Checks the fields and copies the list. */
    public ShrinkingSummary {
        layers = List.copyOf(layers);
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(macs, "macs");
    }

    /** None of its figures is a scalar: the sizes are before/after pairs. */
    @Override
    public Map<String, Object> headline() {
        return Map.of();
    }

    /**
     * A count before and after shrinking.
     *
     * @param before before
     * @param after after
     */
    public record Change(long before, long after) {
    }

    /**
     * One planned layer.
     *
     * @param name the layer's name
     * @param outputs its output channels
     * @param inputs its input channels
     * @param bases its basis kernels
     */
    public record Layer(String name, Change outputs, Change inputs, Change bases) {
        /** Checks the fields. */
        public Layer {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(outputs, "outputs");
            Objects.requireNonNull(inputs, "inputs");
            Objects.requireNonNull(bases, "bases");
        }
    }
}
