package io.penni.inference.cuda.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.model.ModelException;
import io.penni.model.ModelParameters;
import io.penni.model.NetworkShapes;

/**
 * Lowers an IR model to kernel launches. Batch norm after a convolution, decomposed convolution or linear layer
 * (read by nothing else) becomes that kernel's per-channel scale and shift; a ReLU after it, or after an add,
 * becomes its ReLU flag; a two-input add whose later input is such a kernel becomes that kernel's residual.
 * Everything else is its own kernel. A decomposed layer is two kernels: the basis convolution into C·d maps,
 * then the sparse coefficient convolution in compressed-row form.
 */
final class CudaCompiler {

    private static final String[] KERNELS = {"basis_conv", "sparse_coefficients", "dense_conv", "linear", "pool",
        "global_average", "affine", "add"};
    private static final int MAX_BASES = 9;

    private final Model model;
    private final Map<String, ActivationShape> shapes;
    private final Map<String, Integer> readers = new HashMap<>();
    private final Map<String, String> views = new HashMap<>();
    private final Map<String, Step> producer = new HashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private final List<Long> weights = new ArrayList<>();
    private long weightBytes;
    private long mapsPerImage;

    /** A kernel launch in the making, with the fusions it took in. */
    private static final class Step {
        final Layer layer;
        String name;
        float[] scale;
        float[] shift;
        boolean relu;
        String residual;
        final List<String> inputs = new ArrayList<>();

        Step(Layer layer) {
            this.layer = layer;
            this.name = layer.name();
        }

        boolean weighted() {
            return scale != null;
        }
    }

    private CudaCompiler(Model model) {
        this.model = model;
        this.shapes = NetworkShapes.infer(model.network());
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
                if (layer instanceof Layer.DecomposedConv2d d && d.bases() > MAX_BASES) {
                    return new LoadOutcome.Unsupported("layer " + d.name() + ": the CUDA basis kernel keeps at most "
                            + MAX_BASES + " bases per thread, the layer has " + d.bases());
                }
            }
            return new LoadOutcome.Loaded(new CudaCompiler(model).build());
        } catch (ModelException e) {
            return new LoadOutcome.Unsupported(e.getMessage());
        } catch (IOException | IllegalStateException e) {
            return new LoadOutcome.Unsupported("the GPU could not take the model: " + e.getMessage());
        }
    }

    private String root(String name) {
        return views.getOrDefault(name, name);
    }

    private boolean open(Step step, String value) {
        return step.name.equals(value) && readers.getOrDefault(value, 0) == 1
                && !value.equals(root(model.network().output()));
    }

    private CudaModel build() throws IOException {
        for (Layer layer : model.network().layers()) {
            if (layer instanceof Layer.Flatten || layer instanceof Layer.Dropout) {
                views.put(layer.name(), root(layer.inputs().get(0)));
                continue;
            }
            for (String input : layer.inputs()) {
                readers.merge(root(input), 1, Integer::sum);
            }
        }
        readers.merge(root(model.network().output()), 1, Integer::sum);
        for (Layer layer : model.network().layers()) {
            if (!views.containsKey(layer.name())) {
                add(layer);
            }
        }
        long module = CudaDriver.loadModule(CudaDriver.kernels());
        Map<String, Long> functions = new HashMap<>();
        for (String k : KERNELS) {
            functions.put(k, CudaDriver.function(module, k));
        }
        Map<String, CudaModel.Buffer> buffers = new LinkedHashMap<>();
        List<CudaModel.Launch> launches = new ArrayList<>();
        for (Step step : steps) {
            buffers.put(step.name, new CudaModel.Buffer(step.name, shapes.get(step.name).size()));
            if (!(step.layer instanceof Layer.Input)) {
                launches.add(launch(step));
            }
        }
        String output = producer.get(root(model.network().output())).name;
        return new CudaModel(shapes.get(steps.get(0).name), steps.get(0).name, (int) shapes.get(output).size(), output,
                launches,
                buffers, mapsPerImage, weights, weightBytes, functions);
    }

    private void add(Layer layer) {
        if (layer instanceof Layer.BatchNorm bn) {
            Step from = producer.get(root(bn.input()));
            if (from.weighted() && open(from, root(bn.input())) && !from.relu && from.residual == null) {
                float[][] ab = affine(bn);
                for (int c = 0; c < from.scale.length; c++) {
                    from.scale[c] *= ab[0][c];
                    from.shift[c] = from.shift[c] * ab[0][c] + ab[1][c];
                }
                fuse(from, bn);
                return;
            }
        }
        if (layer instanceof Layer.Relu relu) {
            Step from = producer.get(root(relu.input()));
            boolean fusable = from.weighted() || from.layer instanceof Layer.Add;
            if (fusable && open(from, root(relu.input())) && !from.relu) {
                from.relu = true;
                fuse(from, relu);
                return;
            }
        }
        if (layer instanceof Layer.Add sum && sum.inputs().size() == 2) {
            String a = root(sum.inputs().get(0));
            String b = root(sum.inputs().get(1));
            Step sa = producer.get(a);
            Step sb = producer.get(b);
            boolean aLater = steps.indexOf(sa) >= steps.indexOf(sb);
            Step later = aLater ? sa : sb;
            if (sa != sb && later.weighted() && open(later, aLater ? a : b) && !later.relu
                    && later.residual == null) {
                later.residual = producer.get(aLater ? b : a).name;
                fuse(later, sum);
                return;
            }
        }
        Step step = new Step(layer);
        for (String input : layer.inputs()) {
            step.inputs.add(producer.get(root(input)).name);
        }
        int channels = shapes.get(layer.name()).channels();
        if (layer instanceof Layer.Conv2d || layer instanceof Layer.DecomposedConv2d || layer instanceof Layer.Linear) {
            step.scale = new float[channels];
            java.util.Arrays.fill(step.scale, 1f);
            boolean bias = layer instanceof Layer.Conv2d c ? c.bias()
                    : layer instanceof Layer.DecomposedConv2d d ? d.bias() : ((Layer.Linear) layer).bias();
            step.shift = bias ? parameter(layer.name(), ParameterNames.BIAS).clone() : new float[channels];
        }
        steps.add(step);
        producer.put(layer.name(), step);
    }

    private void fuse(Step step, Layer layer) {
        step.name = layer.name();
        producer.put(layer.name(), step);
    }

    private float[] parameter(String layer, String name) {
        return model.parameters().get(ParameterNames.of(layer, name)).data();
    }

    private float[][] affine(Layer.BatchNorm bn) {
        float[] gamma = parameter(bn.name(), ParameterNames.GAMMA);
        float[] beta = parameter(bn.name(), ParameterNames.BETA);
        float[] mean = parameter(bn.name(), ParameterNames.RUNNING_MEAN);
        float[] var = parameter(bn.name(), ParameterNames.RUNNING_VAR);
        float[][] ab = new float[2][bn.channels()];
        for (int c = 0; c < bn.channels(); c++) {
            double s = gamma[c] / Math.sqrt(var[c] + bn.epsilon());
            ab[0][c] = (float) s;
            ab[1][c] = (float) (beta[c] - mean[c] * s);
        }
        return ab;
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

    private CudaModel.Launch launch(Step step) {
        Layer layer = step.layer;
        String in = step.inputs.get(0);
        String out = step.name;
        ActivationShape is = shapes.get(root(layer.inputs().get(0)));
        ActivationShape os = shapes.get(out);
        long pixels = (long) os.height() * os.width();
        int relu = step.relu ? 1 : 0;
        String residual = step.residual;
        if (layer instanceof Layer.DecomposedConv2d d) {
            return decomposed(d, step, in, out, is, os);
        }
        if (layer instanceof Layer.Conv2d c) {
            long w = upload(parameter(c.name(), ParameterNames.WEIGHT));
            long scale = upload(step.scale);
            long shift = upload(step.shift);
            return (m, b) -> CudaModel.launch(m.function("dense_conv"), (long) b * c.outChannels() * pixels,
                    m.pointer(in), m.pointer(out), w, scale, shift, residual == null ? 0 : m.pointer(residual),
                    CudaModel.i(b), CudaModel.i(is.channels()), CudaModel.i(is.height()), CudaModel.i(is.width()),
                    CudaModel.i(c.outChannels()), CudaModel.i(c.kernel()), CudaModel.i(c.stride()),
                    CudaModel.i(c.padding()), CudaModel.i(c.groups()), CudaModel.i(os.height()),
                    CudaModel.i(os.width()), CudaModel.i(relu));
        }
        if (layer instanceof Layer.Linear l) {
            long w = upload(parameter(l.name(), ParameterNames.WEIGHT));
            long scale = upload(step.scale);
            long shift = upload(step.shift);
            return (m, b) -> CudaModel.launch(m.function("linear"), (long) b * l.outFeatures(), m.pointer(in),
                    m.pointer(out), w, scale, shift, residual == null ? 0 : m.pointer(residual), CudaModel.i(b),
                    CudaModel.i(l.inFeatures()), CudaModel.i(l.outFeatures()), CudaModel.i(relu));
        }
        if (layer instanceof Layer.Pool p) {
            int max = p.kind() == Layer.PoolKind.MAX ? 1 : 0;
            return (m, b) -> CudaModel.launch(m.function("pool"), b * os.size(), m.pointer(in), m.pointer(out),
                    CudaModel.i(b), CudaModel.i(is.channels()), CudaModel.i(is.height()), CudaModel.i(is.width()),
                    CudaModel.i(p.kernel()), CudaModel.i(p.stride()), CudaModel.i(p.padding()),
                    CudaModel.i(os.height()), CudaModel.i(os.width()), CudaModel.i(max));
        }
        if (layer instanceof Layer.GlobalAvgPool) {
            long plane = (long) is.height() * is.width();
            return (m, b) -> CudaModel.launch(m.function("global_average"), (long) b * is.channels(), m.pointer(in),
                    m.pointer(out), CudaModel.i(b), CudaModel.i(is.channels()), plane);
        }
        if (layer instanceof Layer.BatchNorm bn) {
            float[][] ab = affine(bn);
            long scale = upload(ab[0]);
            long shift = upload(ab[1]);
            return (m, b) -> CudaModel.launch(m.function("affine"), b * os.size(), m.pointer(in), m.pointer(out),
                    scale, shift, CudaModel.i(b), CudaModel.i(os.channels()), pixels, CudaModel.i(0));
        }
        if (layer instanceof Layer.Relu) {
            return (m, b) -> CudaModel.launch(m.function("add"), b * os.size(), m.pointer(in), 0L, m.pointer(out),
                    b * os.size(), CudaModel.i(1));
        }
        // an add: the first two inputs, then each further one added onto the output
        List<String> inputs = step.inputs;
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

    private CudaModel.Launch decomposed(Layer.DecomposedConv2d d, Step step, String in, String out,
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
        long scale = upload(step.scale);
        long shift = upload(step.shift);
        int relu = step.relu ? 1 : 0;
        String residual = step.residual;
        return (m, b) -> {
            CudaModel.launch(m.function("basis_conv"), (long) b * d.inChannels() * pixels, m.pointer(in), m.maps(),
                    basis, CudaModel.i(b), CudaModel.i(d.inChannels()), CudaModel.i(is.height()),
                    CudaModel.i(is.width()), CudaModel.i(d.bases()), CudaModel.i(d.kernel()),
                    CudaModel.i(d.stride()), CudaModel.i(d.padding()), CudaModel.i(os.height()),
                    CudaModel.i(os.width()));
            CudaModel.launch(m.function("sparse_coefficients"), (long) b * d.outChannels() * pixels, m.maps(),
                    m.pointer(out), starts, columnPointer, valuePointer, scale, shift,
                    residual == null ? 0 : m.pointer(residual), CudaModel.i(b), CudaModel.i(d.outChannels()),
                    CudaModel.i(mapCount), pixels, CudaModel.i(relu));
        };
    }
}
