package io.penni.model;

import io.penni.api.model.Layer;

/**
 * A {@link Layer.Visitor} for work that concerns only the layers with parameters (convolutions, batch norm, linear):
 * every layer without parameters goes to {@link #withoutParameters}. A new layer type still does not compile until
 * it is handled: here, when it has no parameters, or in every implementation, when it has.
 *
 * @param <R> what a visit returns
 */
public interface WeightedLayerVisitor<R> extends Layer.Visitor<R> {

    /**
     * @param layer a layer without parameters (input, activation, pooling, join, view)
     * @return what a visit of such a layer returns
     */
    R withoutParameters(Layer layer);

    @Override
    default R visitInput(Layer.Input layer) {
        return withoutParameters(layer);
    }

    @Override
    default R visitRelu(Layer.Relu layer) {
        return withoutParameters(layer);
    }

    @Override
    default R visitClippedRelu(Layer.ClippedRelu layer) {
        return withoutParameters(layer);
    }

    @Override
    default R visitPool(Layer.Pool layer) {
        return withoutParameters(layer);
    }

    @Override
    default R visitGlobalAvgPool(Layer.GlobalAvgPool layer) {
        return withoutParameters(layer);
    }

    @Override
    default R visitAdd(Layer.Add layer) {
        return withoutParameters(layer);
    }

    @Override
    default R visitFlatten(Layer.Flatten layer) {
        return withoutParameters(layer);
    }

    @Override
    default R visitDropout(Layer.Dropout layer) {
        return withoutParameters(layer);
    }
}
