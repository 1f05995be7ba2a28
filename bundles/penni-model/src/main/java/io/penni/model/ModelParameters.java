package io.penni.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;

/**
 * Which parameter tensors a network needs, with their exact shapes, and the check that a model has exactly
 * those (see {@link ParameterNames} for the names).
 */
public final class ModelParameters {

    private ModelParameters() {
    }

    /**
     * The tensors a network needs: convolution weight {@code [N, C/groups, k, k]}, decomposed basis
     * {@code [d, k*k]} and coefficients {@code [N, C, d]}, linear weight {@code [out, in]}, bias {@code [N]}
     * where a layer has one, and batch-norm gamma, beta, running mean and running variance {@code [C]}.
     *
     * @param network the graph (not validated here)
     * @return full parameter name to shape, in network order (unmodifiable; the arrays are fresh copies)
     */
    public static Map<String, int[]> required(Network network) {
        Map<String, int[]> required = new LinkedHashMap<>();
        Layer.Visitor<Void> needs = new RequiredParameters(required);
        for (Layer layer : network.layers()) {
            layer.accept(needs);
        }
        return Collections.unmodifiableMap(required);
    }

    /** Adds each layer's tensors to a map, by the layer's type. */
    private static final class RequiredParameters implements WeightedLayerVisitor<Void> {

        private final Map<String, int[]> required;

        RequiredParameters(Map<String, int[]> required) {
            this.required = required;
        }

        @Override
        public Void withoutParameters(Layer layer) {
            return null;
        }

        @Override
        public Void visitConv2d(Layer.Conv2d l) {
            int perGroup = l.groups() > 0 ? l.inChannels() / l.groups() : l.inChannels();
            required.put(ParameterNames.of(l.name(), ParameterNames.WEIGHT),
                    new int[] {l.outChannels(), perGroup, l.kernel(), l.kernel()});
            bias(required, l.name(), l.bias(), l.outChannels());
            return null;
        }

        @Override
        public Void visitDecomposedConv2d(Layer.DecomposedConv2d l) {
            required.put(ParameterNames.of(l.name(), ParameterNames.BASIS),
                    new int[] {l.bases(), l.kernel() * l.kernel()});
            required.put(ParameterNames.of(l.name(), ParameterNames.COEFFICIENTS),
                    new int[] {l.outChannels(), l.inChannels(), l.bases()});
            bias(required, l.name(), l.bias(), l.outChannels());
            return null;
        }

        @Override
        public Void visitLinear(Layer.Linear l) {
            required.put(ParameterNames.of(l.name(), ParameterNames.WEIGHT),
                    new int[] {l.outFeatures(), l.inFeatures()});
            bias(required, l.name(), l.bias(), l.outFeatures());
            return null;
        }

        @Override
        public Void visitBatchNorm(Layer.BatchNorm l) {
            for (String p : new String[] {ParameterNames.GAMMA, ParameterNames.BETA, ParameterNames.RUNNING_MEAN,
                    ParameterNames.RUNNING_VAR}) {
                required.put(ParameterNames.of(l.name(), p), new int[] {l.channels()});
            }
            return null;
        }
    }

    /**
     * Checks a whole model: the graph is valid ({@link NetworkShapes#infer}), every parameter a layer needs is
     * present with exactly the right shape, and there is no other parameter.
     *
     * @param model the model
     * @throws ModelException at the first problem, naming the parameter, e.g.
     *         {@code parameter conv1.weight: has shape [64, 3, 3, 3], layer conv1 needs [64, 1, 3, 3]}
     */
    public static void validate(Model model) {
        NetworkShapes.infer(model.network());
        Map<String, int[]> required = required(model.network());
        for (Map.Entry<String, int[]> need : required.entrySet()) {
            Tensor tensor = model.parameters().get(need.getKey());
            if (tensor == null) {
                throw new ModelException("parameter " + need.getKey() + ": missing; layer " + layerOf(need.getKey())
                        + " needs it with shape " + Arrays.toString(need.getValue()));
            }
            if (!Arrays.equals(tensor.shape(), need.getValue())) {
                throw new ModelException("parameter " + need.getKey() + ": has shape " + Arrays.toString(tensor.shape())
                        + ", layer " + layerOf(need.getKey()) + " needs " + Arrays.toString(need.getValue()));
            }
        }
        for (String name : model.parameters().keySet().stream().sorted().toList()) {
            if (!required.containsKey(name)) {
                throw new ModelException("parameter " + name + ": no layer of network " + model.network().name()
                        + " has it");
            }
        }
    }

    /**
     * The layer a full parameter name belongs to: everything before the last dot.
     *
     * @param parameter a full name such as {@code layer1.0.conv1.weight}
     * @return the layer's name, e.g. {@code layer1.0.conv1}
     */
    public static String layerOf(String parameter) {
        int dot = parameter.lastIndexOf('.');
        return dot < 0 ? parameter : parameter.substring(0, dot);
    }

    private static void bias(Map<String, int[]> required, String layer, boolean bias, int size) {
        if (bias) {
            required.put(ParameterNames.of(layer, ParameterNames.BIAS), new int[] {size});
        }
    }
}
