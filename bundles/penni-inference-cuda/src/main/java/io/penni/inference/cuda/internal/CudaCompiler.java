package io.penni.inference.cuda.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.model.ModelException;
import io.penni.model.ModelParameters;
import io.penni.model.lowering.BatchNormAffine;
import io.penni.model.lowering.LoweringPlan;

/**
 * Lowers an IR model to kernel launches from its {@link LoweringPlan} without the pooling fusion (the kernels do
 * not pool as they store): batch norms fused into a convolution, decomposed convolution or linear layer become
 * that kernel's per-channel scale and shift, a fused ReLU its ReLU flag, a fused add its residual. Everything else
 * is its own kernel; each step's output has a device buffer of its own. A decomposed layer is two kernels: the
 * basis convolution into C·d maps, then the sparse coefficient convolution in compressed-row form.
 */
final class CudaCompiler {

    private static final String[] KERNELS = {"basis_conv", "sparse_coefficients", "dense_conv", "linear", "pool",
        "global_average", "affine", "add"};
    private static final int MAX_BASES = 9;
    /** The fusions the kernels implement. */
    private static final Set<LoweringPlan.Fusion> FUSIONS = EnumSet.of(LoweringPlan.Fusion.BATCH_NORM,
            LoweringPlan.Fusion.RELU, LoweringPlan.Fusion.ADD);

    private final Model model;
    private final List<Long> weights = new ArrayList<>();
    private long weightBytes;
    private long mapsPerImage;

    private CudaCompiler(Model model) {
        this.model = model;
    }

    /**
     * Compiles and uploads a model.
     *
     * @param model the model
     * @return the loaded model, or why it cannot run here
     */
    static LoadOutcome load(Model model) {
        try {
            ModelParameters.validate(model);
            for (Layer layer : model.network().layers()) {
                if (layer instanceof Layer.ClippedRelu r) {
                    return new LoadOutcome.Unsupported("layer " + r.name() + ": the CUDA backend has no bounded ReLU "
                            + "(ReLU6) kernel yet; the cpu and onnxruntime backends run it");
                }
                if (layer instanceof Layer.Windowed w && !w.padding().isUniform()) {
                    return new LoadOutcome.Unsupported("layer " + w.name() + ": pads " + w.padding() + " differ per"
                            + " side and the CUDA kernels pad every side alike; the cpu and onnxruntime backends run it");
                }
                if (layer instanceof Layer.DecomposedConv2d d && d.bases() > MAX_BASES) {
                    return new LoadOutcome.Unsupported("layer " + d.name() + ": the CUDA basis kernel keeps at most "
                            + MAX_BASES + " bases per thread, the layer has " + d.bases());
                }
            }
            return new LoadOutcome.Loaded(new CudaCompiler(model).build(LoweringPlan.of(model.network(), FUSIONS)));
        } catch (ModelException e) {
            return new LoadOutcome.Unsupported(e.getMessage());
        } catch (IOException | IllegalStateException e) {
            return new LoadOutcome.Unsupported("the GPU could not take the model: " + e.getMessage());
        }
    }

    private CudaModel build(LoweringPlan plan) throws IOException {
        long module = CudaDriver.loadModule(CudaDriver.kernels());
        Map<String, Long> functions = new HashMap<>();
        for (String k : KERNELS) {
            functions.put(k, CudaDriver.function(module, k));
        }
        Map<String, CudaModel.Buffer> buffers = new LinkedHashMap<>();
        List<CudaModel.Launch> launches = new ArrayList<>();
        for (LoweringPlan.Step step : plan.steps()) {
            buffers.put(step.output(), new CudaModel.Buffer(step.output(), step.outputShape().size()));
            if (!step.input()) {
                launches.add(step.layer().accept(new LaunchEmitter(step)));
            }
        }
        LoweringPlan.Step output = plan.output();
        return new CudaModel(plan.input().outputShape(), plan.input().output(), (int) output.outputShape().size(),
                output.output(), launches, buffers, mapsPerImage, weights, weightBytes, functions);
    }

    private float[] parameter(String layer, String name) {
        return model.parameters().get(ParameterNames.of(layer, name)).data();
    }

    /** A weighted kernel's per-channel scale and shift: its bias, then each fused batch norm's map. */
    private long[] scaleAndShift(LoweringPlan.Step step, boolean bias) {
        int channels = step.layerShape().channels();
        float[] scale = new float[channels];
        Arrays.fill(scale, 1f);
        float[] shift = bias ? parameter(step.layer().name(), ParameterNames.BIAS).clone() : new float[channels];
        for (Layer.BatchNorm bn : step.batchNorms()) {
            BatchNormAffine affine = BatchNormAffine.of(model, bn);
            float[] a = affine.floatScale();
            float[] b = affine.floatShift();
            for (int c = 0; c < channels; c++) {
                scale[c] *= a[c];
                shift[c] = shift[c] * a[c] + b[c];
            }
        }
        return new long[] {upload(scale), upload(shift)};
    }

    private long upload(float[] values) {
        long p = CudaDriver.malloc(Math.max(4L, (long) values.length * Float.BYTES));
        if (values.length > 0) {
            CudaDriver.upload(p, values, 0, values.length);
        }
        weights.add(p);
        weightBytes += (long) values.length * Float.BYTES;
        return p;
    }

    private long uploadInts(int[] values) {
        long p = CudaDriver.malloc(Math.max(4L, (long) values.length * Integer.BYTES));
        if (values.length > 0) {
            CudaDriver.uploadInts(p, values);
        }
        weights.add(p);
        weightBytes += (long) values.length * Integer.BYTES;
        return p;
    }

    /** Makes the launch of one planned step, by the type of the layer it computes. */
    private final class LaunchEmitter implements Layer.Visitor<CudaModel.Launch> {

        private final LoweringPlan.Step step;
        private final String in;
        private final String out;
        private final ActivationShape is;
        private final ActivationShape os;
        private final long pixels;
        private final int relu;
        private final String residual;

        LaunchEmitter(LoweringPlan.Step step) {
            this.step = step;
            this.in = step.inputs().get(0);
            this.out = step.output();
            this.is = step.inputShape();
            this.os = step.outputShape();
            this.pixels = (long) os.height() * os.width();
            this.relu = step.relu() ? 1 : 0;
            this.residual = step.residual().orElse(null);
        }

        @Override
        public CudaModel.Launch visitDecomposedConv2d(Layer.DecomposedConv2d d) {
            return decomposed(d, step, in, out, is, os);
        }

        @Override
        public CudaModel.Launch visitConv2d(Layer.Conv2d c) {
            long w = upload(parameter(c.name(), ParameterNames.WEIGHT));
            long[] affine = scaleAndShift(step, c.bias());
            return (m, b) -> CudaModel.launch(m.function("dense_conv"), (long) b * c.outChannels() * pixels,
                    m.pointer(in), m.pointer(out), w, affine[0], affine[1], residual == null ? 0 : m.pointer(residual),
                    CudaModel.i(b), CudaModel.i(is.channels()), CudaModel.i(is.height()), CudaModel.i(is.width()),
                    CudaModel.i(c.outChannels()), CudaModel.i(c.kernel()), CudaModel.i(c.stride()),
                    CudaModel.i(c.padding().top()), CudaModel.i(c.groups()), CudaModel.i(os.height()),
                    CudaModel.i(os.width()), CudaModel.i(relu));
        }

        @Override
        public CudaModel.Launch visitLinear(Layer.Linear l) {
            long w = upload(parameter(l.name(), ParameterNames.WEIGHT));
            long[] affine = scaleAndShift(step, l.bias());
            return (m, b) -> CudaModel.launch(m.function("linear"), (long) b * l.outFeatures(), m.pointer(in),
                    m.pointer(out), w, affine[0], affine[1], residual == null ? 0 : m.pointer(residual),
                    CudaModel.i(b), CudaModel.i(l.inFeatures()), CudaModel.i(l.outFeatures()), CudaModel.i(relu));
        }

        @Override
        public CudaModel.Launch visitPool(Layer.Pool p) {
            int max = p.kind() == Layer.PoolKind.MAX ? 1 : 0;
            return (m, b) -> CudaModel.launch(m.function("pool"), b * os.size(), m.pointer(in), m.pointer(out),
                    CudaModel.i(b), CudaModel.i(is.channels()), CudaModel.i(is.height()), CudaModel.i(is.width()),
                    CudaModel.i(p.kernel()), CudaModel.i(p.stride()), CudaModel.i(p.padding().top()),
                    CudaModel.i(os.height()), CudaModel.i(os.width()), CudaModel.i(max));
        }

        @Override
        public CudaModel.Launch visitGlobalAvgPool(Layer.GlobalAvgPool g) {
            long plane = (long) is.height() * is.width();
            return (m, b) -> CudaModel.launch(m.function("global_average"), (long) b * is.channels(), m.pointer(in),
                    m.pointer(out), CudaModel.i(b), CudaModel.i(is.channels()), plane);
        }

        @Override
        public CudaModel.Launch visitBatchNorm(Layer.BatchNorm bn) {
            BatchNormAffine affine = BatchNormAffine.of(model, bn);
            long scale = upload(affine.floatScale());
            long shift = upload(affine.floatShift());
            return (m, b) -> CudaModel.launch(m.function("affine"), b * os.size(), m.pointer(in), m.pointer(out),
                    scale, shift, CudaModel.i(b), CudaModel.i(os.channels()), pixels, CudaModel.i(0));
        }

        @Override
        public CudaModel.Launch visitRelu(Layer.Relu r) {
            return (m, b) -> CudaModel.launch(m.function("add"), b * os.size(), m.pointer(in), 0L, m.pointer(out),
                    b * os.size(), CudaModel.i(1));
        }

        /** No kernel bounds a ReLU above yet: {@link #load} refuses a model with one before it gets here. */
        @Override
        public CudaModel.Launch visitClippedRelu(Layer.ClippedRelu r) {
            throw new IllegalStateException("layer " + r.name() + ": no bounded ReLU kernel");
        }

        /** The first two inputs, then each further one added onto the output. */
        @Override
        public CudaModel.Launch visitAdd(Layer.Add sum) {
            List<String> inputs = step.inputs();
            return (m, b) -> {
                long count = b * os.size();
                for (int k = 1; k < inputs.size(); k++) {
                    long a = k == 1 ? m.pointer(inputs.get(0)) : m.pointer(out);
                    int last = k == inputs.size() - 1 ? relu : 0;
                    CudaModel.launch(m.function("add"), count, a, m.pointer(inputs.get(k)), m.pointer(out), count,
                            CudaModel.i(last));
                }
            };
        }

        @Override
        public CudaModel.Launch visitInput(Layer.Input l) {
            throw noKernel(l);
        }

        @Override
        public CudaModel.Launch visitFlatten(Layer.Flatten l) {
            throw noKernel(l);
        }

        @Override
        public CudaModel.Launch visitDropout(Layer.Dropout l) {
            throw noKernel(l);
        }

        private IllegalStateException noKernel(Layer l) {
            return new IllegalStateException("layer " + l.name() + ": the plan gave no kernel to "
                    + l.getClass().getSimpleName());
        }
    }

    private CudaModel.Launch decomposed(Layer.DecomposedConv2d d, LoweringPlan.Step step, String in, String out,
            ActivationShape is, ActivationShape os) {
        long pixels = (long) os.height() * os.width();
        int mapCount = d.inChannels() * d.bases();
        mapsPerImage = Math.max(mapsPerImage, mapCount * pixels);
        float[] coefficients = parameter(d.name(), ParameterNames.COEFFICIENTS);
        int[] rowStart = new int[d.outChannels() + 1];
        List<Integer> columns = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        for (int n = 0; n < d.outChannels(); n++) {
            rowStart[n] = columns.size();
            for (int j = 0; j < mapCount; j++) {
                float v = coefficients[n * mapCount + j];
                if (v != 0f) {
                    columns.add(j);
                    values.add(v);
                }
            }
        }
        rowStart[d.outChannels()] = columns.size();
        float[] vals = new float[values.size()];
        int[] cols = new int[columns.size()];
        for (int e = 0; e < vals.length; e++) {
            vals[e] = values.get(e);
            cols[e] = columns.get(e);
        }
        long basis = upload(parameter(d.name(), ParameterNames.BASIS));
        long starts = uploadInts(rowStart);
        long columnPointer = uploadInts(cols);
        long valuePointer = upload(vals);
        long[] affine = scaleAndShift(step, d.bias());
        long scale = affine[0];
        long shift = affine[1];
        int relu = step.relu() ? 1 : 0;
        String residual = step.residual().orElse(null);
        return (m, b) -> {
            CudaModel.launch(m.function("basis_conv"), (long) b * d.inChannels() * pixels, m.pointer(in), m.maps(),
                    basis, CudaModel.i(b), CudaModel.i(d.inChannels()), CudaModel.i(is.height()),
                    CudaModel.i(is.width()), CudaModel.i(d.bases()), CudaModel.i(d.kernel()),
                    CudaModel.i(d.stride()), CudaModel.i(d.padding().top()), CudaModel.i(os.height()),
                    CudaModel.i(os.width()));
            CudaModel.launch(m.function("sparse_coefficients"), (long) b * d.outChannels() * pixels, m.maps(),
                    m.pointer(out), starts, columnPointer, valuePointer, scale, shift,
                    residual == null ? 0 : m.pointer(residual), CudaModel.i(b), CudaModel.i(d.outChannels()),
                    CudaModel.i(mapCount), pixels, CudaModel.i(relu));
        };
    }
}
