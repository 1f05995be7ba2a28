package io.penni.model.internal;

import java.util.List;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Padding;
import io.penni.model.ModelException;

/**
 * Each layer type's rule: the output shape it gives for its inputs' shapes, after checking that its own fields
 * and its inputs agree. One place for the rules, so the graph check and the architecture builder cannot
 * disagree.
 */
public final class ShapeRules {

    private ShapeRules() {
    }

    /**
     * The output shape of one layer.
     *
     * @param layer the layer
     * @param inputs the shapes of the layers it reads, in the order of {@link Layer#inputs()}
     * @return its output shape
     * @throws ModelException naming the layer and the mismatch
     */
    public static ActivationShape output(Layer layer, List<ActivationShape> inputs) {
        return layer.accept(new Rule(inputs));
    }

    /** The rules, one method per layer type. */
    private static final class Rule implements Layer.Visitor<ActivationShape> {

        private final List<ActivationShape> inputs;

        Rule(List<ActivationShape> inputs) {
            this.inputs = inputs;
        }

        /** @return the shape of the layer's first input */
        private ActivationShape in() {
            return inputs.get(0);
        }

        @Override
        public ActivationShape visitInput(Layer.Input l) {
            positive(l.name(), "channels", l.channels());
            positive(l.name(), "height", l.height());
            positive(l.name(), "width", l.width());
            return new ActivationShape(l.channels(), l.height(), l.width());
        }

        @Override
        public ActivationShape visitAdd(Layer.Add l) {
            return add(l, inputs);
        }

        @Override
        public ActivationShape visitConv2d(Layer.Conv2d l) {
            positive(l.name(), "outChannels", l.outChannels());
            positive(l.name(), "inChannels", l.inChannels());
            positive(l.name(), "groups", l.groups());
            if (l.inChannels() % l.groups() != 0 || l.outChannels() % l.groups() != 0) {
                throw error(l.name(), "groups " + l.groups() + " must divide both inChannels " + l.inChannels()
                        + " and outChannels " + l.outChannels());
            }
            channels(l.name(), l.inChannels(), l.input(), in());
            return windows(l.name(), l.outChannels(), l.kernel(), l.stride(), l.padding(), in());
        }

        @Override
        public ActivationShape visitDecomposedConv2d(Layer.DecomposedConv2d l) {
            positive(l.name(), "outChannels", l.outChannels());
            positive(l.name(), "inChannels", l.inChannels());
            positive(l.name(), "bases", l.bases());
            channels(l.name(), l.inChannels(), l.input(), in());
            return windows(l.name(), l.outChannels(), l.kernel(), l.stride(), l.padding(), in());
        }

        @Override
        public ActivationShape visitBatchNorm(Layer.BatchNorm l) {
            positive(l.name(), "channels", l.channels());
            channels(l.name(), l.channels(), l.input(), in());
            if (!(l.epsilon() > 0) || Double.isInfinite(l.epsilon())) {
                throw error(l.name(), "epsilon must be a positive number, was " + l.epsilon());
            }
            if (!(l.momentum() >= 0 && l.momentum() <= 1)) {
                throw error(l.name(), "momentum must be between 0 and 1, was " + l.momentum());
            }
            return in();
        }

        @Override
        public ActivationShape visitPool(Layer.Pool l) {
            if (l.padding().max() * 2 > l.kernel()) {
                // a window lying wholly in the padding would have no input value to take
                throw error(l.name(), "padding " + l.padding() + " must be at most half the kernel " + l.kernel());
            }
            return windows(l.name(), in().channels(), l.kernel(), l.stride(), l.padding(), in());
        }

        @Override
        public ActivationShape visitGlobalAvgPool(Layer.GlobalAvgPool l) {
            return new ActivationShape(in().channels(), 1, 1);
        }

        @Override
        public ActivationShape visitFlatten(Layer.Flatten l) {
            return new ActivationShape(features(l.name(), in()), 1, 1);
        }

        @Override
        public ActivationShape visitLinear(Layer.Linear l) {
            positive(l.name(), "outFeatures", l.outFeatures());
            long features = in().size();
            if (l.inFeatures() != features) {
                throw error(l.name(), "expects " + l.inFeatures() + " input features, its input '" + l.input()
                        + "' has " + features + " (" + in() + ")");
            }
            return new ActivationShape(l.outFeatures(), 1, 1);
        }

        @Override
        public ActivationShape visitDropout(Layer.Dropout l) {
            if (!(l.rate() >= 0 && l.rate() < 1)) {
                throw error(l.name(), "dropout rate must be at least 0 and below 1, was " + l.rate());
            }
            return in();
        }

        @Override
        public ActivationShape visitRelu(Layer.Relu l) {
            return in();
        }

        @Override
        public ActivationShape visitClippedRelu(Layer.ClippedRelu l) {
            return in();
        }
    }

    private static ActivationShape add(Layer.Add l, List<ActivationShape> inputs) {
        if (inputs.size() < 2) {
            throw error(l.name(), "an add needs at least two inputs, has " + inputs.size());
        }
        ActivationShape first = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            if (!inputs.get(i).equals(first)) {
                throw error(l.name(), "inputs must have the same shape, '" + l.inputs().get(0) + "' is " + first
                        + " but '" + l.inputs().get(i) + "' is " + inputs.get(i));
            }
        }
        return first;
    }

    private static void channels(String layer, int expected, String from, ActivationShape in) {
        if (expected != in.channels()) {
            throw error(layer, "expects " + expected + " input channels, its input '" + from + "' has "
                    + in.channels());
        }
    }

    private static int features(String layer, ActivationShape in) {
        if (in.size() > Integer.MAX_VALUE) {
            throw error(layer, "flattening " + in + " gives more than " + Integer.MAX_VALUE + " features");
        }
        return (int) in.size();
    }

    /** The output of a k×k window sliding over both axes, with {@code channels} channels. */
    private static ActivationShape windows(String layer, int channels, int kernel, int stride, Padding padding,
            ActivationShape in) {
        return new ActivationShape(channels,
                window(layer, kernel, stride, padding.top(), padding.bottom(), in.height(), "height"),
                window(layer, kernel, stride, padding.left(), padding.right(), in.width(), "width"));
    }

    /**
     * The output size of a sliding window along one axis: floor((size + before + after − kernel) / stride) + 1.
     */
    private static int window(String layer, int kernel, int stride, int before, int after, int size, String axis) {
        positive(layer, "kernel", kernel);
        positive(layer, "stride", stride);
        long span = (long) size + before + after - kernel;
        if (span < 0) {
            String padding = before == after ? Integer.toString(before) : before + " before and " + after + " after";
            throw error(layer, "kernel " + kernel + " with padding " + padding + " does not fit the input " + axis
                    + " " + size + " (output size would be below 1)");
        }
        long out = span / stride + 1;
        if (out > Integer.MAX_VALUE) {
            throw error(layer, "output " + axis + " " + out + " is too large");
        }
        return (int) out;
    }

    private static void positive(String layer, String field, int value) {
        if (value < 1) {
            throw error(layer, field + " must be at least 1, was " + value);
        }
    }

    private static ModelException error(String layer, String message) {
        return new ModelException("layer " + layer + ": " + message);
    }
}
