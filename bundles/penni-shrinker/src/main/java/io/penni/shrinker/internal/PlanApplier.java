package io.penni.shrinker.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.ModelException;
import io.penni.model.ModelParameters;
import io.penni.shrinker.LayerShrink;
import io.penni.shrinker.Selection;
import io.penni.shrinker.ShrinkPlan;

/** Carries out a {@link ShrinkPlan}: new channel and basis counts, parameters sliced to the kept indices. */
public final class PlanApplier {

    private PlanApplier() {
    }

    /**
     * Applies a plan.
     *
     * @param plan the plan
     * @param model the model it was made for
     * @return the shrunk model
     * @throws ModelException naming the layer where the model does not fit the plan
     */
    public static Model apply(ShrinkPlan plan, Model model) {
        ModelParameters.validate(model);
        Map<String, LayerShrink> planned = new HashMap<>();
        plan.layers().forEach(p -> planned.put(p.layer(), p));
        Map<String, Tensor> parameters = new LinkedHashMap<>(model.parameters());
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : model.network().layers()) {
            layers.add(layer.accept(new LayerSlicer(planned.remove(layer.name()), parameters)));
        }
        if (!planned.isEmpty()) {
            throw new ModelException("shrink plan for " + plan.network() + ": layers " + planned.keySet()
                    + " are not in network " + model.network().name());
        }
        Network network = model.network();
        Model shrunk = new Model(new Network(network.name(), layers, network.output()), parameters);
        try {
            ModelParameters.validate(shrunk);
        } catch (ModelException e) {
            throw new ModelException("shrink plan for " + plan.network() + " does not fit the model: "
                    + e.getMessage());
        }
        return shrunk;
    }

    /** Shrinks one layer to its entry of the plan and slices its parameters, by the layer's type. */
    private static final class LayerSlicer implements Layer.Visitor<Layer> {

        /** The layer's entry, null where the plan has none. */
        private final LayerShrink entry;
        private final Map<String, Tensor> parameters;

        LayerSlicer(LayerShrink entry, Map<String, Tensor> parameters) {
            this.entry = entry;
            this.parameters = parameters;
        }

        @Override
        public Layer visitConv2d(Layer.Conv2d l) {
            LayerShrink p = require(entry, l, l.outChannels(), l.inChannels(), 0);
            if (l.groups() > 1) {
                if (!p.keepsAll()) {
                    throw misfit(l.name(), "a grouped convolution cannot lose channels");
                }
                // its weight is [out, in/groups, k, k]: slicing it by the kept inputs would read past dimension 1
                return l;
            }
            slice(parameters, l.name(), ParameterNames.WEIGHT, p.outputs().indices(), p.inputs().indices());
            sliceBias(parameters, l.name(), l.bias(), p);
            return new Layer.Conv2d(l.name(), l.input(), p.outputs().after(), p.inputs().after(), l.kernel(),
                    l.stride(), l.padding(), l.groups(), l.bias());
        }

        @Override
        public Layer visitDecomposedConv2d(Layer.DecomposedConv2d l) {
            LayerShrink p = require(entry, l, l.outChannels(), l.inChannels(), l.bases());
            slice(parameters, l.name(), ParameterNames.BASIS, p.bases().indices());
            slice(parameters, l.name(), ParameterNames.COEFFICIENTS, p.outputs().indices(), p.inputs().indices(),
                    p.bases().indices());
            sliceBias(parameters, l.name(), l.bias(), p);
            return new Layer.DecomposedConv2d(l.name(), l.input(), p.outputs().after(), p.inputs().after(),
                    l.kernel(), l.stride(), l.padding(), p.bases().after(), l.bias());
        }

        @Override
        public Layer visitBatchNorm(Layer.BatchNorm l) {
            LayerShrink p = require(entry, l, l.channels(), l.channels(), 0);
            if (!p.outputs().equals(p.inputs())) {
                throw misfit(l.name(), "a batch norm keeps the same channels as outputs and inputs");
            }
            for (String name : List.of(ParameterNames.GAMMA, ParameterNames.BETA, ParameterNames.RUNNING_MEAN,
                    ParameterNames.RUNNING_VAR)) {
                slice(parameters, l.name(), name, p.outputs().indices());
            }
            return new Layer.BatchNorm(l.name(), l.input(), p.outputs().after(), l.epsilon(), l.momentum());
        }

        @Override
        public Layer visitLinear(Layer.Linear l) {
            LayerShrink p = require(entry, l, l.outFeatures(), l.inFeatures(), 0);
            if (!p.outputs().keepsAll()) {
                throw misfit(l.name(), "a linear layer keeps all its outputs");
            }
            slice(parameters, l.name(), ParameterNames.WEIGHT, null, p.inputs().indices());
            return new Layer.Linear(l.name(), l.input(), l.outFeatures(), p.inputs().after(), l.bias());
        }

        @Override
        public Layer visitInput(Layer.Input l) {
            return unchanged(l);
        }

        @Override
        public Layer visitRelu(Layer.Relu l) {
            return unchanged(l);
        }

        @Override
        public Layer visitClippedRelu(Layer.ClippedRelu l) {
            return unchanged(l);
        }

        @Override
        public Layer visitPool(Layer.Pool l) {
            return unchanged(l);
        }

        @Override
        public Layer visitGlobalAvgPool(Layer.GlobalAvgPool l) {
            return unchanged(l);
        }

        @Override
        public Layer visitAdd(Layer.Add l) {
            return unchanged(l);
        }

        @Override
        public Layer visitFlatten(Layer.Flatten l) {
            return unchanged(l);
        }

        @Override
        public Layer visitDropout(Layer.Dropout l) {
            return unchanged(l);
        }

        /** A layer without parameters follows the shapes it reads: the plan has no entry for it. */
        private Layer unchanged(Layer layer) {
            if (entry != null) {
                throw misfit(layer.name(), "the plan has an entry for it, but it has no parameters to shrink");
            }
            return layer;
        }
    }

    private static LayerShrink require(LayerShrink p, Layer layer, int outputs, int inputs, int bases) {
        if (p == null) {
            throw misfit(layer.name(), "the plan has no entry for it");
        }
        check(layer.name(), "output", p.outputs(), outputs);
        check(layer.name(), "input", p.inputs(), inputs);
        check(layer.name(), "basis", p.bases(), bases);
        return p;
    }

    private static void check(String layer, String what, Selection selection, int actual) {
        if (selection.before() != actual) {
            throw misfit(layer, "it has " + actual + " " + what + " entries, the plan was made for "
                    + selection.before());
        }
    }

    private static ModelException misfit(String layer, String problem) {
        return new ModelException("shrink plan: layer " + layer + ": " + problem);
    }

    private static void sliceBias(Map<String, Tensor> parameters, String layer, boolean bias, LayerShrink p) {
        if (bias) {
            slice(parameters, layer, ParameterNames.BIAS, p.outputs().indices());
        }
    }

    /** Replaces a parameter by its slice: along dimension d keep {@code kept[d]}, or everything where null. */
    private static void slice(Map<String, Tensor> parameters, String layer, String parameter, int[]... kept) {
        String name = ParameterNames.of(layer, parameter);
        parameters.put(name, slice(parameters.get(name), kept));
    }

    static Tensor slice(Tensor tensor, int[]... kept) {
        int[] shape = tensor.shape();
        int rank = shape.length;
        int[][] indices = new int[rank][];
        int[] outShape = new int[rank];
        long size = 1;
        for (int d = 0; d < rank; d++) {
            if (d < kept.length && kept[d] != null) {
                indices[d] = kept[d];
            } else {
                indices[d] = new int[shape[d]];
                for (int k = 0; k < shape[d]; k++) {
                    indices[d][k] = k;
                }
            }
            outShape[d] = indices[d].length;
            size *= outShape[d];
        }
        int[] stride = new int[rank];
        int s = 1;
        for (int d = rank - 1; d >= 0; d--) {
            stride[d] = s;
            s *= shape[d];
        }
        float[] out = new float[Math.toIntExact(size)];
        int[] at = new int[rank];
        for (int o = 0; o < out.length; o++) {
            int from = 0;
            for (int d = 0; d < rank; d++) {
                from += indices[d][at[d]] * stride[d];
            }
            out[o] = tensor.data()[from];
            for (int d = rank - 1; d >= 0; d--) {
                if (++at[d] < outShape[d]) {
                    break;
                }
                at[d] = 0;
            }
        }
        return new Tensor(outShape, out);
    }
}
