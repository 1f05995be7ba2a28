package io.penni.api.model;

import java.util.List;
import java.util.Objects;

import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One node of a network graph. Every layer has a unique name and names the layers it reads. Its parameters
 * live in the model's parameter map under {@code <name>.<parameter>} (see {@link ParameterNames}).
 * The interface is sealed: its records are the only layer types, and {@link #accept(Visitor)} dispatches
 * over them.
 */
@ProviderType
public sealed interface Layer {

    /** @return the layer's unique name */
    String name();

    /** @return the names of the layers this one reads, in order */
    List<String> inputs();

    /**
     * Calls the visitor's method for this layer's type. Every consumer that must handle all layer types goes
     * through here, so a new layer type does not compile until every {@link Visitor} handles it.
     *
     * @param <R> what the visitor returns
     * @param visitor the visitor
     * @return what the visitor's method returned
     */
    <R> R accept(Visitor<R> visitor);

    /**
     * One method per layer type. Implement it where code must treat every type of layer (shapes, counts,
     * lowering, shrinking...): the compiler then finds every such place when a type is added.
     *
     * @param <R> what each method returns ({@link Void} for none)
     */
    @ConsumerType
    interface Visitor<R> {

        /**
         * @param layer the network's input
         * @return the result for it
         */
        R visitInput(Input layer);

        /**
         * @param layer a convolution
         * @return the result for it
         */
        R visitConv2d(Conv2d layer);

        /**
         * @param layer a decomposed convolution
         * @return the result for it
         */
        R visitDecomposedConv2d(DecomposedConv2d layer);

        /**
         * @param layer a batch normalisation
         * @return the result for it
         */
        R visitBatchNorm(BatchNorm layer);

        /**
         * @param layer a ReLU
         * @return the result for it
         */
        R visitRelu(Relu layer);

        /**
         * @param layer a ReLU with an upper bound (ReLU6)
         * @return the result for it
         */
        R visitClippedRelu(ClippedRelu layer);

        /**
         * @param layer a pooling
         * @return the result for it
         */
        R visitPool(Pool layer);

        /**
         * @param layer a global average pooling
         * @return the result for it
         */
        R visitGlobalAvgPool(GlobalAvgPool layer);

        /**
         * @param layer a residual sum
         * @return the result for it
         */
        R visitAdd(Add layer);

        /**
         * @param layer a flatten
         * @return the result for it
         */
        R visitFlatten(Flatten layer);

        /**
         * @param layer a fully connected layer
         * @return the result for it
         */
        R visitLinear(Linear layer);

        /**
         * @param layer a dropout
         * @return the result for it
         */
        R visitDropout(Dropout layer);
    }

    /**
     * A layer that slides a k×k window over its input: a convolution, decomposed or not, or a pooling. Code that
     * only needs the window (its padding, say) reads it here instead of telling the three apart.
     */
    sealed interface Windowed extends Layer permits Conv2d, DecomposedConv2d, Pool {

        /** @return the window's size k */
        int kernel();

        /** @return the stride on both axes */
        int stride();

        /** @return the zero padding per side */
        Padding padding();
    }

    /**
     * The network's input.
     *
     * @param name the layer's name
     * @param channels image channels
     * @param height image height
     * @param width image width
     */
    record Input(String name, int channels, int height, int width) implements Layer {
        /** Checks the fields. */
        public Input {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitInput(this);
        }

        @Override
        public List<String> inputs() {
            return List.of();
        }
    }

    /**
     * A k×k convolution with weight {@code [out, in/groups, k, k]} and optional bias {@code [out]}.
     *
     * @param name the layer's name
     * @param input the layer it reads
     * @param outChannels output channels N
     * @param inChannels input channels C
     * @param kernel kernel size k
     * @param stride stride
     * @param padding zero padding per side
     * @param groups channel groups (1: ordinary convolution)
     * @param bias whether it has a bias
     */
    record Conv2d(String name, String input, int outChannels, int inChannels, int kernel, int stride, Padding padding,
            int groups, boolean bias) implements Windowed {
        /** Checks the fields. */
        public Conv2d {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(padding, "padding");
        }

        /**
         * A convolution that pads every side alike.
         *
         * @param name the layer's name
         * @param input the layer it reads
         * @param outChannels output channels N
         * @param inChannels input channels C
         * @param kernel kernel size k
         * @param stride stride
         * @param padding zero padding on each side
         * @param groups channel groups (1: ordinary convolution)
         * @param bias whether it has a bias
         */
        public Conv2d(String name, String input, int outChannels, int inChannels, int kernel, int stride, int padding,
                int groups, boolean bias) {
            this(name, input, outChannels, inChannels, kernel, stride, Padding.of(padding), groups, bias);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitConv2d(this);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * A PENNI-decomposed k×k convolution: {@code W[n,c] = sum_j coefficients[n,c,j] * basis[j]}, with basis
     * {@code [d, k*k]}, coefficients {@code [out, in, d]} and optional bias {@code [out]}.
     *
     * @param name the layer's name
     * @param input the layer it reads
     * @param outChannels output channels N
     * @param inChannels input channels C
     * @param kernel kernel size k
     * @param stride stride
     * @param padding zero padding per side
     * @param bases basis kernels d
     * @param bias whether it has a bias
     */
    record DecomposedConv2d(String name, String input, int outChannels, int inChannels, int kernel, int stride,
            Padding padding, int bases, boolean bias) implements Windowed {
        /** Checks the fields. */
        public DecomposedConv2d {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(padding, "padding");
        }

        /**
         * A decomposed convolution that pads every side alike.
         *
         * @param name the layer's name
         * @param input the layer it reads
         * @param outChannels output channels N
         * @param inChannels input channels C
         * @param kernel kernel size k
         * @param stride stride
         * @param padding zero padding on each side
         * @param bases basis kernels d
         * @param bias whether it has a bias
         */
        public DecomposedConv2d(String name, String input, int outChannels, int inChannels, int kernel, int stride,
                int padding, int bases, boolean bias) {
            this(name, input, outChannels, inChannels, kernel, stride, Padding.of(padding), bases, bias);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitDecomposedConv2d(this);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * Batch normalisation over channels, with gamma, beta, running mean and running variance {@code [channels]}.
     *
     * @param name the layer's name
     * @param input the layer it reads
     * @param channels channels
     * @param epsilon added to the variance
     * @param momentum weight of the newest batch in the running statistics
     */
    record BatchNorm(String name, String input, int channels, double epsilon, double momentum) implements Layer {
        /** Checks the fields. */
        public BatchNorm {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitBatchNorm(this);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * min(max(0, x), max): a ReLU with an upper bound, e.g. ReLU6 (max = 6), as ONNX {@code Clip(0, max)} writes it.
     *
     * @param name the layer's name
     * @param input the layer it reads
     * @param max the upper bound, positive and finite
     */
    record ClippedRelu(String name, String input, double max) implements Layer {
        /** Checks the fields. */
        public ClippedRelu {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
            if (!(max > 0) || Double.isInfinite(max)) {
                throw new IllegalArgumentException("the upper bound of " + name + " must be positive and finite, was "
                        + max);
            }
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitClippedRelu(this);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }

        /**
         * @param x a value
         * @return min(max(0, x), max) in float
         */
        public float apply(float x) {
            return Math.min(Math.max(0f, x), (float) max);
        }
    }

    /**
     * max(0, x).
     *
     * @param name the layer's name
     * @param input the layer it reads
     */
    record Relu(String name, String input) implements Layer {
        /** Checks the fields. */
        public Relu {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitRelu(this);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * Max or average pooling over k×k windows.
     *
     * @param name the layer's name
     * @param input the layer it reads
     * @param kind max or average
     * @param kernel window size
     * @param stride stride
     * @param padding padding per side (average pooling counts padded zeros; max pooling never takes padding)
     */
    record Pool(String name, String input, PoolKind kind, int kernel, int stride, Padding padding)
            implements Windowed {
        /** Checks the fields. */
        public Pool {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(padding, "padding");
        }

        /**
         * A pooling that pads every side alike.
         *
         * @param name the layer's name
         * @param input the layer it reads
         * @param kind max or average
         * @param kernel window size
         * @param stride stride
         * @param padding padding on each side
         */
        public Pool(String name, String input, PoolKind kind, int kernel, int stride, int padding) {
            this(name, input, kind, kernel, stride, Padding.of(padding));
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitPool(this);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * Average over each channel's whole map, giving {@code channels × 1 × 1}.
     *
     * @param name the layer's name
     * @param input the layer it reads
     */
    record GlobalAvgPool(String name, String input) implements Layer {
        /** Checks the fields. */
        public GlobalAvgPool {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitGlobalAvgPool(this);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * Element-wise sum of same-shaped inputs: a residual join.
     *
     * @param name the layer's name
     * @param inputs the layers it sums (two or more)
     */
    record Add(String name, List<String> inputs) implements Layer {
        /** Checks the fields. */
        public Add {
            Objects.requireNonNull(name, "name");
            inputs = List.copyOf(inputs);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitAdd(this);
        }
    }

    /**
     * Reshapes {@code C×H×W} to {@code (C·H·W)×1×1}, channel-major.
     *
     * @param name the layer's name
     * @param input the layer it reads
     */
    record Flatten(String name, String input) implements Layer {
        /** Checks the fields. */
        public Flatten {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitFlatten(this);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * A fully connected layer with weight {@code [out, in]} and optional bias {@code [out]}.
     *
     * @param name the layer's name
     * @param input the layer it reads
     * @param outFeatures outputs
     * @param inFeatures inputs
     * @param bias whether it has a bias
     */
    record Linear(String name, String input, int outFeatures, int inFeatures, boolean bias) implements Layer {
        /** Checks the fields. */
        public Linear {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitLinear(this);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * Dropout while training; the identity at inference.
     *
     * @param name the layer's name
     * @param input the layer it reads
     * @param rate fraction of activations dropped while training
     */
    record Dropout(String name, String input, double rate) implements Layer {
        /** Checks the fields. */
        public Dropout {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visitDropout(this);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /** The two pooling kinds. */
    enum PoolKind {
        /** The window's maximum. */
        MAX,
        /** The window's mean. */
        AVG
    }
}
