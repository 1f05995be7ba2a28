package io.penni.onnx.internal.export;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Padding;
import io.penni.api.model.ParameterNames;
import io.penni.model.NetworkShapes;
import io.penni.model.lowering.LoweringPlan;
import io.penni.onnx.ExportForm;
import io.penni.onnx.OnnxExport;
import io.penni.onnx.OnnxFormat;
import io.penni.onnx.internal.proto.OnnxIr.AttributeProto;
import io.penni.onnx.internal.proto.OnnxIr.GraphProto;
import io.penni.onnx.internal.proto.OnnxIr.ModelProto;
import io.penni.onnx.internal.proto.OnnxIr.OperatorSetIdProto;
import io.penni.onnx.internal.proto.OnnxIr.StringStringEntryProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorShapeProto;
import io.penni.onnx.internal.proto.OnnxIr.TypeProto;
import io.penni.onnx.internal.proto.OnnxIr.ValueInfoProto;

/**
 * Writes a valid model as an ONNX {@code ModelProto}, one layer at a time in network order.
 *
 * <p>Which batch norms fold into the layer before them is the lowering plan's decision with only
 * {@link LoweringPlan.Fusion#BATCH_NORM} taken (nothing else reads the layer's output), narrowed to batch norms
 * that read the weighted layer directly, so that the folded channels are its output channels.
 */
public final class GraphWriter implements Layer.Visitor<Void> {

    /** Weights one file holds at most: a protobuf message is at most 2 GiB, less room for the graph itself. */
    public static final long MAX_WEIGHT_BYTES = Integer.MAX_VALUE - (16L << 20);

    private final Model model;
    private final ExportForm form;
    private final OnnxGraph graph;
    /** For each weighted layer, the batch norms folded into it, in order. */
    private final Map<String, List<Layer.BatchNorm>> folds = new HashMap<>();
    /** Every batch norm folded into the layer before it: no node of its own. */
    private final Map<String, String> foldedInto = new HashMap<>();

    private GraphWriter(Model model, ExportForm form, GraphProto.Builder graph, long weightLimit) {
        this.model = model;
        this.form = form;
        this.graph = new OnnxGraph(graph, model.network().layers().stream().map(Layer::name).toList(),
                Set.of(OnnxExport.INPUT, OnnxExport.OUTPUT), weightLimit);
        for (LoweringPlan.Step step : LoweringPlan.of(model.network(), EnumSet.of(LoweringPlan.Fusion.BATCH_NORM))
                .steps()) {
            String last = step.layer().name();
            List<Layer.BatchNorm> chain = new ArrayList<>();
            for (Layer.BatchNorm bn : step.batchNorms()) {
                if (!bn.input().equals(last)) {
                    break;
                }
                chain.add(bn);
                foldedInto.put(bn.name(), step.layer().name());
                last = bn.name();
            }
            folds.put(step.layer().name(), chain);
        }
    }

    /**
     * Writes a model.
     *
     * @param model a valid model (validated by the caller)
     * @param form how decomposed convolutions are written
     * @return the ONNX model
     */
    public static ModelProto write(Model model, ExportForm form) {
        return write(model, form, MAX_WEIGHT_BYTES);
    }

    /**
     * Writes a model whose weights must fit a limit.
     *
     * @param model a valid model (validated by the caller)
     * @param form how decomposed convolutions are written
     * @param weightLimit the most bytes of weights the file may hold
     * @return the ONNX model
     * @throws io.penni.model.ModelException naming the layer whose weights pass the limit
     */
    public static ModelProto write(Model model, ExportForm form, long weightLimit) {
        Map<String, ActivationShape> shapes = NetworkShapes.infer(model.network());
        GraphProto.Builder graph = GraphProto.newBuilder().setName(model.network().name());
        GraphWriter writer = new GraphWriter(model, form, graph, weightLimit);
        for (Layer layer : model.network().layers()) {
            writer.graph.writing(layer.name());
            layer.accept(writer);
        }
        ActivationShape in = shapes.get(model.network().layers().get(0).name());
        graph.addInput(valueInfo(OnnxExport.INPUT, in.channels(), in.height(), in.width()));
        String output = model.network().output();
        String logits = writer.graph.value(output);
        String op = writer.graph.rank(output) == 4 ? "Flatten" : "Identity";
        boolean taken = model.network().layers().stream().anyMatch(l -> l.name().equals(OnnxExport.OUTPUT));
        var node = writer.graph.node(op, taken ? writer.graph.unique(OnnxExport.OUTPUT) : OnnxExport.OUTPUT,
                List.of(logits), OnnxExport.OUTPUT);
        if (op.equals("Flatten")) {
            node.addAttribute(OnnxGraph.integer("axis", 1));
        }
        graph.addOutput(valueInfo(OnnxExport.OUTPUT, (int) shapes.get(output).size()));
        return ModelProto.newBuilder().setIrVersion(OnnxFormat.EXPORT_IR_VERSION).setProducerName("penni-server")
                .setDocString("PENNI Server export of " + model.network().name() + ", " + form.label() + " form")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxFormat.EXPORT_OPSET))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("penni.network")
                        .setValue(model.network().name()))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("penni.form").setValue(form.label()))
                .setGraph(graph).build();
    }

    /** A float tensor's type with the symbolic batch dimension first. */
    private static ValueInfoProto valueInfo(String name, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        shape.addDimBuilder().setDimParam(OnnxExport.BATCH);
        for (int d : dims) {
            shape.addDimBuilder().setDimValue(d);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }

    // ---- layers ---------------------------------------------------------------------------------------------

    @Override
    public Void visitInput(Layer.Input l) {
        graph.define(l.name(), OnnxExport.INPUT, 4);
        return null;
    }

    @Override
    public Void visitConv2d(Layer.Conv2d l) {
        FoldedWeights w = FoldedWeights.fold(model, l.name(), FoldedWeights.weight(model, l.name()),
                l.outChannels(), l.bias(), folds.getOrDefault(l.name(), List.of()));
        String weight = graph.initializer(ParameterNames.of(l.name(), ParameterNames.WEIGHT),
                new long[] {l.outChannels(), l.inChannels() / l.groups(), l.kernel(), l.kernel()}, w.weight());
        String out = output(l.name());
        conv(l.name(), graph.fourD(l.input(), l.name()), weight, bias(l.name(), w), out, l.kernel(), l.stride(),
                l.padding(), l.groups());
        define(l.name(), out, 4);
        return null;
    }

    @Override
    public Void visitDecomposedConv2d(Layer.DecomposedConv2d l) {
        List<Layer.BatchNorm> norms = folds.getOrDefault(l.name(), List.of());
        String in = graph.fourD(l.input(), l.name());
        if (form == ExportForm.DENSE) {
            FoldedWeights w = FoldedWeights.fold(model, l.name(), FoldedWeights.reconstructed(model, l),
                    l.outChannels(), l.bias(), norms);
            String weight = graph.initializer(ParameterNames.of(l.name(), ParameterNames.WEIGHT),
                    new long[] {l.outChannels(), l.inChannels(), l.kernel(), l.kernel()}, w.weight());
            String out = output(l.name());
            conv(l.name(), in, weight, bias(l.name(), w), out, l.kernel(), l.stride(), l.padding(), 1);
            define(l.name(), out, 4);
            return null;
        }
        int maps = l.inChannels() * l.bases();
        String basis = graph.initializer(ParameterNames.of(l.name(), ParameterNames.BASIS),
                new long[] {maps, 1, l.kernel(), l.kernel()}, FoldedWeights.tiledBasis(model, l));
        // the C·d basis maps: the node is named after the parameter, its value after what it holds
        String filtered = graph.unique(l.name() + ".basis_maps");
        conv(ParameterNames.of(l.name(), ParameterNames.BASIS), in, basis, null, filtered, l.kernel(), l.stride(),
                l.padding(), l.inChannels());
        FoldedWeights w = FoldedWeights.fold(model, l.name(), FoldedWeights.coefficients(model, l), l.outChannels(),
                l.bias(), norms);
        String coefficients = graph.initializer(ParameterNames.of(l.name(), ParameterNames.COEFFICIENTS),
                new long[] {l.outChannels(), maps, 1, 1}, w.weight());
        String out = output(l.name());
        conv(l.name(), filtered, coefficients, bias(l.name(), w), out, 1, 1, Padding.NONE, 1);
        define(l.name(), out, 4);
        return null;
    }

    @Override
    public Void visitBatchNorm(Layer.BatchNorm l) {
        if (foldedInto.containsKey(l.name())) {
            return null;
        }
        List<String> inputs = new ArrayList<>();
        inputs.add(graph.value(l.input()));
        for (String p : List.of(ParameterNames.GAMMA, ParameterNames.BETA, ParameterNames.RUNNING_MEAN,
                ParameterNames.RUNNING_VAR)) {
            inputs.add(graph.initializer(ParameterNames.of(l.name(), p), new long[] {l.channels()},
                    model.parameters().get(ParameterNames.of(l.name(), p)).data()));
        }
        String out = graph.valueName(l.name());
        graph.node("BatchNormalization", l.name(), inputs, out)
                .addAttribute(OnnxGraph.real("epsilon", (float) l.epsilon()));
        graph.define(l.name(), out, graph.rank(l.input()));
        return null;
    }

    @Override
    public Void visitRelu(Layer.Relu l) {
        return unary("Relu", l, graph.value(l.input()), graph.rank(l.input()));
    }

    /** ONNX's Clip with its bounds as inputs (opset 11 on): 0 and the layer's max. */
    @Override
    public Void visitClippedRelu(Layer.ClippedRelu l) {
        String min = graph.initializer(l.name() + ".min", new long[0], new float[] {0f});
        String max = graph.initializer(l.name() + ".max", new long[0], new float[] {(float) l.max()});
        String out = graph.valueName(l.name());
        graph.node("Clip", l.name(), List.of(graph.value(l.input()), min, max), out);
        graph.define(l.name(), out, graph.rank(l.input()));
        return null;
    }

    @Override
    public Void visitPool(Layer.Pool l) {
        String out = graph.valueName(l.name());
        var node = graph.node(l.kind() == Layer.PoolKind.MAX ? "MaxPool" : "AveragePool", l.name(),
                List.of(graph.fourD(l.input(), l.name())), out)
                .addAttribute(OnnxGraph.ints("kernel_shape", l.kernel(), l.kernel()))
                .addAttribute(OnnxGraph.ints("strides", l.stride(), l.stride()))
                .addAttribute(pads(l.padding()));
        if (l.kind() == Layer.PoolKind.AVG) {
            // the reference divides by the whole window, padded zeros included
            node.addAttribute(OnnxGraph.integer("count_include_pad", 1));
        }
        graph.define(l.name(), out, 4);
        return null;
    }

    @Override
    public Void visitGlobalAvgPool(Layer.GlobalAvgPool l) {
        return unary("GlobalAveragePool", l, graph.fourD(l.input(), l.name()), 4);
    }

    @Override
    public Void visitAdd(Layer.Add l) {
        boolean allFlat = l.inputs().stream().allMatch(in -> graph.rank(in) == 2);
        List<String> inputs = l.inputs().stream()
                .map(in -> allFlat ? graph.value(in) : graph.fourD(in, l.name())).toList();
        String out = graph.valueName(l.name());
        graph.node(inputs.size() == 2 ? "Add" : "Sum", l.name(), inputs, out);
        graph.define(l.name(), out, allFlat ? 2 : 4);
        return null;
    }

    @Override
    public Void visitFlatten(Layer.Flatten l) {
        String out = graph.valueName(l.name());
        graph.node("Flatten", l.name(), List.of(graph.value(l.input())), out)
                .addAttribute(OnnxGraph.integer("axis", 1));
        graph.define(l.name(), out, 2);
        return null;
    }

    @Override
    public Void visitLinear(Layer.Linear l) {
        FoldedWeights w = FoldedWeights.fold(model, l.name(), FoldedWeights.weight(model, l.name()),
                l.outFeatures(), l.bias(), folds.getOrDefault(l.name(), List.of()));
        List<String> inputs = new ArrayList<>(List.of(graph.twoD(l.input(), l.name()),
                graph.initializer(ParameterNames.of(l.name(), ParameterNames.WEIGHT),
                        new long[] {l.outFeatures(), l.inFeatures()}, w.weight())));
        String b = bias(l.name(), w);
        if (b != null) {
            inputs.add(b);
        }
        String out = output(l.name());
        graph.node("Gemm", l.name(), inputs, out).addAttribute(OnnxGraph.integer("transB", 1));
        define(l.name(), out, 2);
        return null;
    }

    /** The identity at inference; kept as a node so that the layer's name stays in the graph. */
    @Override
    public Void visitDropout(Layer.Dropout l) {
        return unary("Identity", l, graph.value(l.input()), graph.rank(l.input()));
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private Void unary(String op, Layer l, String in, int rank) {
        String out = graph.valueName(l.name());
        graph.node(op, l.name(), List.of(in), out);
        graph.define(l.name(), out, rank);
        return null;
    }

    /** The value a weighted layer writes: named after the last batch norm folded into it, else after itself. */
    private String output(String layer) {
        List<Layer.BatchNorm> norms = folds.getOrDefault(layer, List.of());
        return graph.valueName(norms.isEmpty() ? layer : norms.get(norms.size() - 1).name());
    }

    /** Gives a weighted layer and the batch norms folded into it their value. */
    private void define(String layer, String value, int rank) {
        graph.define(layer, value, rank);
        for (Layer.BatchNorm bn : folds.getOrDefault(layer, List.of())) {
            graph.define(bn.name(), value, rank);
        }
    }

    /** @return the bias initializer's name, or null when the layer writes none */
    private String bias(String layer, FoldedWeights w) {
        return w.hasBias() ? graph.initializer(ParameterNames.of(layer, ParameterNames.BIAS),
                new long[] {w.bias().length}, w.bias()) : null;
    }

    private void conv(String name, String in, String weight, String bias, String out, int kernel, int stride,
            Padding padding, int groups) {
        List<String> inputs = new ArrayList<>(List.of(in, weight));
        if (bias != null) {
            inputs.add(bias);
        }
        graph.node("Conv", name, inputs, out)
                .addAttribute(OnnxGraph.ints("kernel_shape", kernel, kernel))
                .addAttribute(OnnxGraph.ints("strides", stride, stride))
                .addAttribute(pads(padding))
                .addAttribute(OnnxGraph.ints("dilations", 1, 1))
                .addAttribute(OnnxGraph.integer("group", groups));
    }

    /** ONNX's pads are [top, left, bottom, right] for a 2-D window, the order the IR keeps them in. */
    private static AttributeProto pads(Padding padding) {
        return OnnxGraph.ints("pads", padding.top(), padding.left(), padding.bottom(), padding.right());
    }
}
