package io.penni.inference.cpu.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.ModelParameters;
import io.penni.model.lowering.BatchNormAffine;
import io.penni.model.lowering.LoweringPlan;

/**
 * Emits the CPU engine's {@link Step}s for a model's {@link LoweringPlan} (with every fusion): each planned step's
 * weights cloned, the batch norms fused into it folded into its weights (or coefficients) and bias in double
 * precision, its ReLU, residual and pooling given to its epilogue, and its output given the planned buffer slot.
 */
public final class NetworkCompiler {

    private final Model model;
    private final Map<String, Kernels> kernels;

    private NetworkCompiler(Model model, Map<String, Kernels> kernels) {
        this.model = model;
        this.kernels = kernels;
    }

    /**
     * Compiles a model.
     *
     * @param model the model
     * @param kernels the kernel implementations steps may choose between, by name, the default first
     * @param threads threads the program runs on
     * @return the program
     * @throws io.penni.model.ModelException when the model is invalid, naming the layer or parameter
     */
    public static Program compile(Model model, Map<String, Kernels> kernels, int threads) {
        ModelParameters.validate(model);
        return new NetworkCompiler(model, kernels).build(LoweringPlan.of(model.network()), threads);
    }

    private Program build(LoweringPlan plan, int threads) {
        int[] slotSizes = plan.slotSizes();
        Map<String, Value> values = new HashMap<>();
        List<Step> steps = new ArrayList<>();
        for (LoweringPlan.Step planned : plan.steps()) {
            int size = (int) planned.outputShape().size();
            int slot = planned.slot();
            Value value = new Value(slot, size, planned.input() ? size : slotSizes[slot]);
            if (!planned.input()) {
                Step step = planned.layer().accept(new StepEmitter(planned, values, value));
                step.inputFloats(planned.inputs().stream().mapToLong(i -> values.get(i).size()).sum()
                        + planned.residual().map(r -> (long) values.get(r).size()).orElse(0L));
                steps.add(step);
            }
            values.put(planned.output(), value);
        }
        return new Program(model.network().name(), steps, slotSizes, values.get(plan.input().output()),
                values.get(plan.output().output()), plan.input().outputShape(), threads);
    }

    private float[] tensor(String layer, String parameter) {
        Tensor t = model.parameters().get(ParameterNames.of(layer, parameter));
        return t.data();
    }

    /** What the step's kind says after its layer's: {@code +bn+relu+add+maxpool}, in the order they fused. */
    private static String fusedKinds(LoweringPlan.Step planned) {
        StringBuilder kind = new StringBuilder();
        for (LoweringPlan.Fused fused : planned.fused()) {
            kind.append(switch (fused.fusion()) {
                case BATCH_NORM -> "+bn";
                case RELU -> "+relu";
                case ADD -> "+add";
                case POOL -> ((Layer.Pool) fused.layer()).kind() == Layer.PoolKind.MAX ? "+maxpool" : "+avgpool";
            });
        }
        return kind.toString();
    }

    /** A weighted step's parameters with its batch norms folded in. */
    private final class Weights {
        final float[] weight;
        final float[] bias;

        Weights(LoweringPlan.Step planned, String weightName, boolean hasBias, int outputs) {
            String layer = planned.layer().name();
            weight = tensor(layer, weightName).clone();
            bias = hasBias ? tensor(layer, ParameterNames.BIAS).clone() : new float[outputs];
            for (Layer.BatchNorm bn : planned.batchNorms()) {
                fold(BatchNormAffine.of(model, bn));
            }
        }

        /** Scales each output channel's weights (or coefficients) and bias by batch norm's affine map. */
        private void fold(BatchNormAffine ab) {
            int rows = bias.length;
            int perRow = weight.length / rows;
            for (int n = 0; n < rows; n++) {
                for (int i = n * perRow; i < (n + 1) * perRow; i++) {
                    weight[i] = (float) (weight[i] * ab.scale()[n]);
                }
                bias[n] = (float) (bias[n] * ab.scale()[n] + ab.shift()[n]);
            }
        }
    }

    /** Makes the CPU step of one planned step, by the type of the layer it computes. */
    private final class StepEmitter implements Layer.Visitor<Step> {

        private final LoweringPlan.Step planned;
        private final Map<String, Value> values;
        private final Value out;
        private final String name;
        private final Value in;
        private final ActivationShape inShape;
        /** The layer's own output: a fused pooling's smaller shape is the step's output value, not its geometry. */
        private final ActivationShape outShape;

        StepEmitter(LoweringPlan.Step planned, Map<String, Value> values, Value out) {
            this.planned = planned;
            this.values = values;
            this.out = out;
            this.name = planned.output();
            this.in = values.get(planned.inputs().get(0));
            this.inShape = planned.inputShape();
            this.outShape = planned.layerShape();
        }

        private String kind(String layerKind) {
            return layerKind + fusedKinds(planned);
        }

        private Epilogue epilogue(float[] bias) {
            Value residual = planned.residual().map(values::get).orElse(null);
            Layer.Pool pool = planned.pool().orElse(null);
            return new Epilogue(bias, residual, planned.relu(), pool == null ? 0 : pool.kernel(),
                    pool != null && pool.kind() == Layer.PoolKind.MAX);
        }

        @Override
        public Step visitConv2d(Layer.Conv2d l) {
            Weights w = new Weights(planned, ParameterNames.WEIGHT, l.bias(), l.outChannels());
            return new ConvStep(name, kind("conv" + l.kernel() + "x" + l.kernel()), in, out,
                    ConvGeometry.of(inShape, outShape, l.kernel(), l.stride(), l.padding()), w.weight, l.groups(),
                    l.outChannels(), epilogue(w.bias), kernels);
        }

        @Override
        public Step visitDecomposedConv2d(Layer.DecomposedConv2d l) {
            Weights w = new Weights(planned, ParameterNames.COEFFICIENTS, l.bias(), l.outChannels());
            float[] basis = tensor(l.name(), ParameterNames.BASIS).clone();
            return new DecomposedStep(name, kind("decomposed" + l.kernel() + "x" + l.kernel() + "/d" + l.bases()), in,
                    out, ConvGeometry.of(inShape, outShape, l.kernel(), l.stride(), l.padding()), basis, l.bases(),
                    l.outChannels(), w.weight, epilogue(w.bias), kernels);
        }

        @Override
        public Step visitLinear(Layer.Linear l) {
            Weights w = new Weights(planned, ParameterNames.WEIGHT, l.bias(), l.outFeatures());
            return new LinearStep(name, kind("linear"), in, out, w.weight, l.outFeatures(), l.inFeatures(),
                    epilogue(w.bias), kernels);
        }

        @Override
        public Step visitPool(Layer.Pool l) {
            return new SimpleSteps.Pool(name, in, out, l.kind() == Layer.PoolKind.MAX,
                    ConvGeometry.of(inShape, outShape, l.kernel(), l.stride(), l.padding()));
        }

        @Override
        public Step visitGlobalAvgPool(Layer.GlobalAvgPool l) {
            return new SimpleSteps.GlobalAverage(name, in, out, inShape.channels());
        }

        @Override
        public Step visitBatchNorm(Layer.BatchNorm bn) {
            BatchNormAffine ab = BatchNormAffine.of(model, bn);
            return new SimpleSteps.Affine(name, in, out, ab.floatScale(), ab.floatShift(),
                    inShape.height() * inShape.width());
        }

        @Override
        public Step visitRelu(Layer.Relu l) {
            return new SimpleSteps.Relu(name, in, out, Float.POSITIVE_INFINITY);
        }

        @Override
        public Step visitClippedRelu(Layer.ClippedRelu l) {
            return new SimpleSteps.Relu(name, in, out, (float) l.max());
        }

        @Override
        public Step visitAdd(Layer.Add l) {
            List<Value> inputs = new ArrayList<>();
            for (String input : planned.inputs()) {
                inputs.add(values.get(input));
            }
            return new SimpleSteps.Sum(name, inputs, out, planned.relu());
        }

        @Override
        public Step visitInput(Layer.Input l) {
            throw notAStep(l);
        }

        @Override
        public Step visitFlatten(Layer.Flatten l) {
            throw notAStep(l);
        }

        @Override
        public Step visitDropout(Layer.Dropout l) {
            throw notAStep(l);
        }

        private IllegalStateException notAStep(Layer l) {
            return new IllegalStateException("layer " + l.name() + ": the plan gave no step to "
                    + l.getClass().getSimpleName());
        }
    }
}
