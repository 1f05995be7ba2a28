package io.penni.inference.cpu.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Padding;
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
        int[] slotSizes = plan.slotSizes().clone();
        Map<String, Value.Staged> staged = stagedValues(plan);
        for (LoweringPlan.Step planned : plan.steps()) {
            Value.Staged layout = staged.get(planned.output());
            if (layout != null) {
                slotSizes[planned.slot()] = Math.max(slotSizes[planned.slot()], stagedSize(planned, layout));
            }
        }
        Map<String, Value> values = new HashMap<>();
        List<Step> steps = new ArrayList<>();
        for (LoweringPlan.Step planned : plan.steps()) {
            Value.Staged layout = staged.get(planned.output());
            int size = layout != null ? stagedSize(planned, layout) : (int) planned.outputShape().size();
            int slot = planned.slot();
            Value value = new Value(slot, size, planned.input() ? size : slotSizes[slot], layout);
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

    /** Floats of a staged value: every channel's plane, the last one's bottom zero row and the zero after it. */
    private static int stagedSize(LoweringPlan.Step planned, Value.Staged layout) {
        return planned.outputShape().channels() * layout.channelStride() + layout.rowStride() + 1;
    }

    /**
     * The values stored in their reader's staged layout ({@link Value.Staged}): written by a convolution without
     * a fused pooling or residual add, read by nothing but one 3 × 3 convolution of stride 1 and padding 1 whose
     * rows share their zero columns, the writer's computed rows as long as the reader's staged ones. The
     * network's output, a value a residual add reads and one two layers read stay plain.
     */
    private static Map<String, Value.Staged> stagedValues(LoweringPlan plan) {
        // every read of a value, a residual add's included
        Map<String, List<LoweringPlan.Step>> readers = new HashMap<>();
        for (LoweringPlan.Step planned : plan.steps()) {
            for (String input : planned.inputs()) {
                readers.computeIfAbsent(input, k -> new ArrayList<>()).add(planned);
            }
            planned.residual().ifPresent(r -> readers.computeIfAbsent(r, k -> new ArrayList<>()).add(planned));
        }
        Map<String, Value.Staged> staged = new HashMap<>();
        for (LoweringPlan.Step planned : plan.steps()) {
            String value = planned.output();
            List<LoweringPlan.Step> read = readers.getOrDefault(value, List.of());
            if (planned.input() || value.equals(plan.output().output()) || read.size() != 1
                    || planned.pool().isPresent() || planned.residual().isPresent()) {
                continue;
            }
            LoweringPlan.Step reader = read.get(0);
            Optional<ConvGeometry> written = convolution(planned);
            Optional<ConvGeometry> reading = convolution(reader);
            if (written.isEmpty() || reading.isEmpty() || !reader.inputs().equals(List.of(value))) {
                continue;
            }
            ConvGeometry w = written.get();
            ConvGeometry r = reading.get();
            boolean sameRows = w.outHeight() == r.height() && w.outWidth() == r.width()
                    && w.rowStride() == r.rowStride();
            boolean threeByThree = r.kernel() == 3 && r.stride() == 1 && r.padding().equals(new Padding(1, 1, 1, 1))
                    && r.sharesColumns() && r.imageStride() == (r.height() + 1) * r.rowStride();
            if (sameRows && threeByThree) {
                staged.put(value, new Value.Staged(r.rowStride(), r.padding().top(), r.imageStride()));
            }
        }
        return staged;
    }

    /** @return the geometry of a planned dense or decomposed convolution, else empty */
    private static Optional<ConvGeometry> convolution(LoweringPlan.Step planned) {
        if (planned.layer() instanceof Layer.Conv2d c) {
            return Optional.of(ConvGeometry.of(planned.inputShape(), planned.layerShape(), c.kernel(), c.stride(),
                    c.padding()));
        }
        if (planned.layer() instanceof Layer.DecomposedConv2d d) {
            return Optional.of(ConvGeometry.of(planned.inputShape(), planned.layerShape(), d.kernel(), d.stride(),
                    d.padding()));
        }
        return Optional.empty();
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
                    pool != null && pool.kind() == Layer.PoolKind.MAX, out.staged());
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
