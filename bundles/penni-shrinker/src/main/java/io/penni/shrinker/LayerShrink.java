package io.penni.shrinker;

import java.util.Objects;

/**
 * What stays of one layer. Convolutions (dense and decomposed) select output and input channels, decomposed
 * ones also basis kernels; a batch norm selects its channels (as both outputs and inputs); a linear layer
 * selects input features and keeps every output. Layers without parameters follow the shapes they read and have
 * no entry in the {@link ShrinkPlan}.
 *
 * @param layer the layer's name
 * @param outputs the output channels (features of a linear layer) that stay
 * @param inputs the input channels (features of a linear layer) that stay
 * @param bases the basis kernels that stay; {@link Selection#empty()} for layers without bases
 */
public record LayerShrink(String layer, Selection outputs, Selection inputs, Selection bases) {

    /** Checks the fields. */
    public LayerShrink {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(outputs, "outputs");
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(bases, "bases");
    }

    /** @return whether the layer stays as it is */
    public boolean keepsAll() {
        return outputs.keepsAll() && inputs.keepsAll() && bases.keepsAll();
    }
}
