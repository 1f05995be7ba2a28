package io.penni.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.internal.LayerKinds;

/**
 * Counts parameters, multiply-accumulates (MACs; FLOPs = 2 × MACs) and float32 activation memory, per layer
 * and in total, for one image.
 *
 * <p>Dense layers: a convolution has N·(C/groups)·k·k weights (+ N bias) and N·(C/groups)·k·k·Hout·Wout MACs;
 * a linear layer out·in weights (+ out bias) and out·in MACs (counted with weights: its non-zero weights, as a
 * pruned fully connected layer stores only those, while its MACs stay out·in since it runs dense); batch norm 2·C parameters (gamma, beta). Pooling,
 * ReLU, add, flatten and dropout have neither. A PENNI-decomposed convolution is counted as PENNI runs it:
 * a per-input-channel convolution with the d basis kernels, k·k·Hout·Wout MACs for each of the C·d maps (input
 * channel × basis) that some non-zero coefficient reads, then a sparse 1×1 convolution with the coefficients,
 * nnz(coefficients)·Hout·Wout MACs; its parameters are d·k·k + nnz(coefficients) (+ N bias), and those maps are
 * scratch memory. Without weights, every map and coefficient counts.
 */
public final class ModelCounter {

    private static final long FLOAT_BYTES = Float.BYTES;

    private ModelCounter() {
    }

    /**
     * Counts a model, taking the non-zero coefficients of decomposed convolutions from its parameters.
     *
     * @param model a valid model
     * @return the counts
     * @throws ModelException if the model is invalid
     */
    public static ModelCount count(Model model) {
        ModelParameters.validate(model);
        return count(model.network(), (layer, parameter) -> Optional.ofNullable(
                model.parameters().get(ParameterNames.of(layer, parameter))));
    }

    /**
     * Counts a graph without weights; decomposed convolutions count as if every coefficient were non-zero.
     *
     * @param network a valid network
     * @return the counts
     * @throws ModelException if the network is invalid
     */
    public static ModelCount count(Network network) {
        return count(network, (layer, parameter) -> Optional.empty());
    }

    /** A layer's parameter, where the weights are known. */
    private interface Coefficients {
        Optional<Tensor> of(String layer, String parameter);
    }

    private static ModelCount count(Network network, Coefficients coefficients) {
        Map<String, ActivationShape> shapes = NetworkShapes.infer(network);
        List<LayerCount> layers = new ArrayList<>();
        long params = 0;
        long macs = 0;
        long convParams = 0;
        long convMacs = 0;
        long activation = 0;
        for (Layer layer : network.layers()) {
            ActivationShape in = layer.inputs().isEmpty() ? null : shapes.get(layer.inputs().get(0));
            LayerCount count = countLayer(layer, in, shapes.get(layer.name()), coefficients);
            layers.add(count);
            params += count.params();
            macs += count.macs();
            if (count.convolution()) {
                convParams += count.params();
                convMacs += count.macs();
            }
            activation += count.activationBytes() + count.intermediateBytes();
        }
        ActivationShape input = shapes.get(network.layers().get(0).name());
        return new ModelCount(network.name(), input, layers, params, macs, convParams, convMacs, activation,
                peak(network, layers));
    }

    private static LayerCount countLayer(Layer layer, ActivationShape in, ActivationShape out,
            Coefficients coefficients) {
        return layer.accept(new LayerCounter(LayerKinds.name(layer), out, coefficients));
    }

    /** One layer's parameters, MACs and memory, by its type. */
    private static final class LayerCounter implements Layer.Visitor<LayerCount> {

        private final String type;
        private final ActivationShape out;
        private final Coefficients coefficients;
        private final long outputBytes;
        private final long pixels;

        LayerCounter(String type, ActivationShape out, Coefficients coefficients) {
            this.type = type;
            this.out = out;
            this.coefficients = coefficients;
            this.outputBytes = FLOAT_BYTES * out.size();
            this.pixels = (long) out.height() * out.width();
        }

        @Override
        public LayerCount visitConv2d(Layer.Conv2d l) {
            long weights = (long) l.outChannels() * (l.inChannels() / l.groups()) * l.kernel() * l.kernel();
            return new LayerCount(l.name(), type, out, weights + (l.bias() ? l.outChannels() : 0), weights * pixels,
                    outputBytes, 0, true);
        }

        @Override
        public LayerCount visitDecomposedConv2d(Layer.DecomposedConv2d l) {
            long kk = (long) l.kernel() * l.kernel();
            Optional<Tensor> known = coefficients.of(l.name(), ParameterNames.COEFFICIENTS);
            long nonZero = known.map(ModelCounter::nonZero)
                    .orElse((long) l.outChannels() * l.inChannels() * l.bases());
            long maps = known.map(ModelCounter::usedMaps).orElse((long) l.inChannels() * l.bases());
            long params = l.bases() * kk + nonZero + (l.bias() ? l.outChannels() : 0);
            long macs = maps * kk * pixels + nonZero * pixels;
            return new LayerCount(l.name(), type, out, params, macs, outputBytes, FLOAT_BYTES * maps * pixels, true);
        }

        @Override
        public LayerCount visitLinear(Layer.Linear l) {
            // parameters: the non-zero weights (a pruned layer stores only those); MACs: all of them, since
            // the fully connected layers run dense
            long weights = (long) l.outFeatures() * l.inFeatures();
            long kept = coefficients.of(l.name(), ParameterNames.WEIGHT).map(ModelCounter::nonZero).orElse(weights);
            return new LayerCount(l.name(), type, out, kept + (l.bias() ? l.outFeatures() : 0), weights,
                    outputBytes, 0, false);
        }

        @Override
        public LayerCount visitBatchNorm(Layer.BatchNorm l) {
            return new LayerCount(l.name(), type, out, 2L * l.channels(), 0, outputBytes, 0, false);
        }

        /** At inference a reshape: no memory of its own. */
        @Override
        public LayerCount visitFlatten(Layer.Flatten l) {
            return view(l);
        }

        /** At inference the identity: no memory of its own. */
        @Override
        public LayerCount visitDropout(Layer.Dropout l) {
            return view(l);
        }

        @Override
        public LayerCount visitInput(Layer.Input l) {
            return unweighted(l);
        }

        @Override
        public LayerCount visitRelu(Layer.Relu l) {
            return unweighted(l);
        }

        @Override
        public LayerCount visitClippedRelu(Layer.ClippedRelu l) {
            return unweighted(l);
        }

        @Override
        public LayerCount visitPool(Layer.Pool l) {
            return unweighted(l);
        }

        @Override
        public LayerCount visitGlobalAvgPool(Layer.GlobalAvgPool l) {
            return unweighted(l);
        }

        @Override
        public LayerCount visitAdd(Layer.Add l) {
            return unweighted(l);
        }

        private LayerCount view(Layer layer) {
            return new LayerCount(layer.name(), type, out, 0, 0, 0, 0, false);
        }

        /** No parameters and no MACs counted: only its output's memory. */
        private LayerCount unweighted(Layer layer) {
            return new LayerCount(layer.name(), type, out, 0, 0, outputBytes, 0, false);
        }
    }

    /** Flatten and dropout at inference reshape or pass their input through: no memory of their own. */
    private static boolean isView(Layer layer) {
        return layer instanceof Layer.Flatten || layer instanceof Layer.Dropout;
    }

    /** The non-zero values of a tensor (also the report's coefficient count). */
    static long nonZero(Tensor tensor) {
        long n = 0;
        for (float v : tensor.data()) {
            if (v != 0f) {
                n++;
            }
        }
        return n;
    }

    /**
     * The maps of coefficients {@code [N, C, d]} that some coefficient reads: columns {@code [:, c, j]} holding a
     * non-zero value. A map no coefficient reads is not computed (the CPU engine skips it).
     *
     * @param coefficients a decomposed convolution's coefficients {@code [N, C, d]}
     * @return how many of its C·d maps some non-zero coefficient reads
     */
    public static long usedMaps(Tensor coefficients) {
        int[] shape = coefficients.shape();
        int columns = shape[1] * shape[2];
        boolean[] used = new boolean[columns];
        float[] data = coefficients.data();
        for (int i = 0; i < data.length; i++) {
            if (data[i] != 0f) {
                used[i % columns] = true;
            }
        }
        long n = 0;
        for (boolean u : used) {
            if (u) {
                n++;
            }
        }
        return n;
    }

    /**
     * Walks the layers in order: a layer's output (views resolved to the layer that owns the memory) lives from
     * the layer that makes it to its last reader, the network's output to the end.
     */
    private static long peak(Network network, List<LayerCount> counts) {
        List<Layer> layers = network.layers();
        Map<String, String> owner = new HashMap<>();
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            owner.put(layer.name(), isView(layer) ? owner.get(layer.inputs().get(0)) : layer.name());
            lastUse.put(owner.get(layer.name()), i);
            for (String input : layer.inputs()) {
                lastUse.merge(owner.get(input), i, Math::max);
            }
        }
        lastUse.put(owner.get(network.output()), layers.size());
        long[] freedAfter = new long[layers.size() + 1];
        for (int j = 0; j < layers.size(); j++) {
            if (!isView(layers.get(j))) {
                freedAfter[lastUse.get(layers.get(j).name())] += counts.get(j).activationBytes();
            }
        }
        long peak = 0;
        long live = 0;
        for (int i = 0; i < layers.size(); i++) {
            live += counts.get(i).activationBytes();
            peak = Math.max(peak, live + counts.get(i).intermediateBytes());
            live -= freedAfter[i];
        }
        return peak;
    }
}
