package io.penni.onnx.internal.importer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Tensor;
import io.penni.model.ModelException;
import io.penni.model.ModelParameters;
import io.penni.model.NetworkShapes;
import io.penni.onnx.OnnxFormat;
import io.penni.onnx.internal.proto.OnnxIr.GraphProto;
import io.penni.onnx.internal.proto.OnnxIr.ModelProto;
import io.penni.onnx.internal.proto.OnnxIr.NodeProto;
import io.penni.onnx.internal.proto.OnnxIr.OperatorSetIdProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorShapeProto;
import io.penni.onnx.internal.proto.OnnxIr.ValueInfoProto;

/**
 * Reads a parsed ONNX model into the IR: walks the graph's nodes in their (topological) order, turning each
 * operator into an IR layer ({@link LayerOps}), a view of an existing layer's output, or a folded constant
 * ({@link ShapeOps}). Anything it cannot map exactly is refused with the node, its operator and what is supported.
 */
public final class GraphImporter {

    /** The operators read, for messages. */
    static final String SUPPORTED = "Conv, BatchNormalization, Relu, Clip (min 0: ReLU6 and ReLU), MaxPool,"
            + " AveragePool, GlobalAveragePool, Add, Gemm, MatMul (+ Add), Flatten, Reshape and Squeeze (as a"
            + " flatten), Dropout, Identity, Pad (zeros, folded into the Conv after it), Constant, Shape, Gather,"
            + " Unsqueeze, Concat, and ConstantOfShape, Reshape, Slice, Transpose and Cast on integer constants (the"
            + " arithmetic of a Pad's pads)";

    final String source;
    final int opset;
    final LayerNames names = new LayerNames();
    final List<Layer> layers = new ArrayList<>();
    final Map<String, Tensor> parameters = new LinkedHashMap<>();
    /** The static batch size the graph's input declares, if it declares one. */
    final OptionalLong staticBatch;
    private final Map<String, OnnxValue> values = new HashMap<>();
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final Map<String, Integer> readers = new HashMap<>();

    private GraphImporter(String source, int opset, OptionalLong staticBatch) {
        this.source = source;
        this.opset = opset;
        this.staticBatch = staticBatch;
    }

    /**
     * @param model a parsed ONNX model
     * @param source the file, as messages name it
     * @param networkName the IR network's name
     * @return the model, its network validated
     * @throws ModelException naming the file and the node, initializer or input at the first problem
     */
    public static Model read(ModelProto model, String source, String networkName) {
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new ModelException(source + ": not an ONNX model: it has no graph nodes");
        }
        int opset = opset(model, source);
        GraphProto graph = model.getGraph();
        ValueInfoProto input = graphInput(graph, source);
        GraphImporter importer = new GraphImporter(source, opset, batchOf(input));
        return importer.run(graph, input, networkName);
    }

    private Model run(GraphProto graph, ValueInfoProto input, String networkName) {
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        for (NodeProto node : graph.getNodeList()) {
            node.getInputList().forEach(this::countReader);
        }
        graph.getOutputList().forEach(o -> countReader(o.getName()));
        addInput(input);
        LayerOps layerOps = new LayerOps(this);
        ShapeOps shapeOps = new ShapeOps(this);
        IntOps intOps = new IntOps(this);
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            NodeContext context = new NodeContext(source,
                    node.getName().isEmpty() ? node.getOpType() + "_" + i : node.getName(), node.getOpType());
            if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
                throw context.error("operators of domain '" + node.getDomain() + "' are not supported; supported: "
                        + SUPPORTED + " of the default ONNX domain");
            }
            NodeAttributes attributes = new NodeAttributes(context, node);
            attributes.refuseReferences();
            OnnxValue result = switch (node.getOpType()) {
                case "Conv" -> layerOps.conv(context, node, attributes);
                case "BatchNormalization" -> layerOps.batchNorm(context, node, attributes);
                case "Relu" -> layerOps.relu(context, node);
                case "Clip" -> layerOps.clip(context, node, attributes);
                case "MaxPool", "AveragePool" -> layerOps.pool(context, node, attributes);
                case "GlobalAveragePool" -> layerOps.globalAveragePool(context, node);
                case "Add" -> layerOps.add(context, node);
                case "Gemm" -> layerOps.gemm(context, node, attributes);
                case "MatMul" -> layerOps.matMul(context, node);
                case "Dropout" -> layerOps.dropout(context, node, attributes);
                case "Flatten" -> shapeOps.flatten(context, node, attributes);
                case "Reshape" -> operand(context, node, 0) instanceof OnnxValue.Ints data
                        ? intOps.reshape(context, node, attributes, data) : shapeOps.reshape(context, node, attributes);
                case "Squeeze" -> shapeOps.squeeze(context, node, attributes);
                case "Identity" -> operand(context, node, 0);
                case "Pad" -> shapeOps.pad(context, node, attributes);
                case "Constant" -> shapeOps.constant(context, attributes);
                case "Shape" -> shapeOps.shape(context, node, attributes);
                case "Gather" -> shapeOps.gather(context, node, attributes);
                case "Unsqueeze" -> shapeOps.unsqueeze(context, node, attributes);
                case "Concat" -> shapeOps.concat(context, node, attributes);
                case "ConstantOfShape" -> intOps.constantOfShape(context, node, attributes);
                case "Slice" -> intOps.slice(context, node, attributes);
                case "Transpose" -> intOps.transpose(context, node, attributes);
                case "Cast" -> intOps.cast(context, node, attributes);
                default -> throw context.error("operator " + node.getOpType() + " is not supported; supported: "
                        + SUPPORTED);
            };
            if (node.getOutputCount() == 0) {
                throw context.error("has no output");
            }
            values.put(node.getOutput(0), result);
            for (int o = 1; o < node.getOutputCount(); o++) {
                if (isRead(node.getOutput(o))) {
                    throw context.error("its output " + (o + 1) + " '" + node.getOutput(o) + "' is used; only the"
                            + " first output of a " + node.getOpType() + " can be imported (inference mode)");
                }
            }
        }
        return finish(graph, networkName);
    }

    private Model finish(GraphProto graph, String networkName) {
        if (graph.getOutputCount() != 1) {
            throw new ModelException(source + ": the graph has " + graph.getOutputCount() + " outputs; a"
                    + " classifier with exactly one output (the logits) is supported");
        }
        String outputName = graph.getOutput(0).getName();
        OnnxValue output = values.get(outputName);
        if (!(output instanceof OnnxValue.Activation activation)) {
            throw new ModelException(source + ": the graph's output '" + outputName + "' is "
                    + (output == null ? "not computed by any node" : output.describe() + ", not an activation"));
        }
        Network network = new Network(networkName, layers, activation.layer());
        try {
            NetworkShapes.infer(network);
            Model model = new Model(network, parameters);
            ModelParameters.validate(model);
            return model;
        } catch (ModelException e) {
            throw new ModelException(source + ": the imported network is not valid: " + e.getMessage(), e);
        }
    }

    private static int opset(ModelProto model, String source) {
        for (OperatorSetIdProto id : model.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                if (id.getVersion() < OnnxFormat.MIN_IMPORT_OPSET || id.getVersion() > OnnxFormat.MAX_IMPORT_OPSET) {
                    throw new ModelException(source + ": declares ONNX opset " + id.getVersion() + "; supported:"
                            + " opsets " + OnnxFormat.MIN_IMPORT_OPSET + " to " + OnnxFormat.MAX_IMPORT_OPSET
                            + " (export with torch.onnx.export(..., opset_version=17))");
                }
                return (int) id.getVersion();
            }
        }
        throw new ModelException(source + ": declares no opset of the default ONNX domain; supported: opsets "
                + OnnxFormat.MIN_IMPORT_OPSET + " to " + OnnxFormat.MAX_IMPORT_OPSET);
    }

    /** The one graph input that is not an initializer (IR 3 files list the initializers as inputs too). */
    private static ValueInfoProto graphInput(GraphProto graph, String source) {
        List<String> initializerNames = graph.getInitializerList().stream().map(TensorProto::getName).toList();
        List<ValueInfoProto> inputs = graph.getInputList().stream()
                .filter(i -> !initializerNames.contains(i.getName())).toList();
        if (inputs.size() != 1) {
            throw new ModelException(source + ": the graph has " + inputs.size() + " inputs "
                    + inputs.stream().map(ValueInfoProto::getName).toList()
                    + "; supported: one image input [batch, channels, height, width]");
        }
        return inputs.get(0);
    }

    private static OptionalLong batchOf(ValueInfoProto input) {
        TensorShapeProto shape = input.getType().getTensorType().getShape();
        return shape.getDimCount() > 0 && shape.getDim(0).hasDimValue()
                ? OptionalLong.of(shape.getDim(0).getDimValue()) : OptionalLong.empty();
    }

    private void addInput(ValueInfoProto input) {
        String what = source + ": the graph input '" + input.getName() + "'";
        if (!input.getType().hasTensorType()) {
            throw new ModelException(what + " is not a tensor; supported: a float32 image batch");
        }
        int type = input.getType().getTensorType().getElemType();
        if (type != TensorProto.DataType.FLOAT_VALUE) {
            throw new ModelException(what + " has data type " + TensorDecoder.typeName(type)
                    + "; supported: FLOAT (float32) images");
        }
        TensorShapeProto shape = input.getType().getTensorType().getShape();
        if (shape.getDimCount() != 4) {
            throw new ModelException(what + " has " + shape.getDimCount() + " dimensions; supported: images"
                    + " [batch, channels, height, width]");
        }
        int[] chw = new int[3];
        String[] axes = {"channels", "height", "width"};
        for (int i = 0; i < 3; i++) {
            TensorShapeProto.Dimension d = shape.getDim(i + 1);
            if (!d.hasDimValue() || d.getDimValue() < 1 || d.getDimValue() > Integer.MAX_VALUE) {
                throw new ModelException(what + " has " + (d.hasDimValue() ? "size " + d.getDimValue()
                        : "a symbolic size '" + d.getDimParam() + "'") + " for its " + axes[i]
                        + "; supported: a fixed positive size (only the batch may be symbolic; export with a"
                        + " fixed image size)");
            }
            chw[i] = (int) d.getDimValue();
        }
        if ((long) chw[0] * chw[1] * chw[2] > Integer.MAX_VALUE) {
            throw new ModelException(what + " has images of " + chw[0] + "x" + chw[1] + "x" + chw[2] + ", more than "
                    + Integer.MAX_VALUE + " values each");
        }
        String name = names.of(input.getName(), "input");
        layers.add(new Layer.Input(name, chw[0], chw[1], chw[2]));
        values.put(input.getName(), new OnnxValue.Activation(name, new long[] {chw[0], chw[1], chw[2]}));
    }

    private void countReader(String name) {
        if (!name.isEmpty()) {
            readers.merge(name, 1, Integer::sum);
        }
    }

    /** @return whether a node or the graph's output reads the value */
    boolean isRead(String name) {
        return readers.getOrDefault(name, 0) > 0;
    }

    /** @return how many nodes (and graph outputs) read the value */
    int readers(String name) {
        return readers.getOrDefault(name, 0);
    }

    /**
     * @param context the node reading it
     * @param name a value name
     * @return the value: a node's output, the graph input, or an initializer (decoded on first use)
     */
    OnnxValue value(NodeContext context, String name) {
        OnnxValue value = values.get(name);
        if (value == null && initializers.containsKey(name)) {
            value = TensorDecoder.decode(initializers.get(name), source + ": initializer '" + name + "'");
            values.put(name, value);
        }
        if (value == null) {
            throw context.error("its input '" + name + "' is not the output of an earlier node, an initializer or"
                    + " the graph input (nodes must be in topological order)");
        }
        return value;
    }

    /** @return the value of the node's input at that position, which must be present */
    OnnxValue operand(NodeContext context, NodeProto node, int index) {
        return value(context, input(context, node, index));
    }

    OnnxValue.Activation activation(NodeContext context, NodeProto node, int index) {
        OnnxValue value = operand(context, node, index);
        if (value instanceof OnnxValue.Activation a) {
            return a;
        }
        throw context.error("its input " + (index + 1) + " '" + node.getInput(index) + "' is " + value.describe()
                + "; the operator is supported on activations (images flowing from the graph input)");
    }

    /** @return a feature map [C, H, W] input, or an error naming the shape it has */
    OnnxValue.Activation map(NodeContext context, NodeProto node, int index) {
        OnnxValue.Activation a = activation(context, node, index);
        if (!a.isMap()) {
            throw context.error("its input '" + node.getInput(index) + "' is " + a.describe()
                    + "; supported: feature maps [batch, channels, height, width]");
        }
        return a;
    }

    OnnxValue.Floats floats(NodeContext context, NodeProto node, int index, String role) {
        return constant(context, node, index, role, OnnxValue.Floats.class, "a float32 initializer or constant");
    }

    OnnxValue.Ints ints(NodeContext context, NodeProto node, int index, String role) {
        return constant(context, node, index, role, OnnxValue.Ints.class,
                "an integer constant (or one computed from shapes)");
    }

    private <T extends OnnxValue> T constant(NodeContext context, NodeProto node, int index, String role,
            Class<T> type, String supported) {
        OnnxValue value = operand(context, node, index);
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        throw context.error("its " + role + " '" + node.getInput(index) + "' is " + value.describe()
                + "; supported: " + supported);
    }

    /** @return whether the node has a non-empty input at that position */
    static boolean hasInput(NodeProto node, int index) {
        return node.getInputCount() > index && !node.getInput(index).isEmpty();
    }

    private static String input(NodeContext context, NodeProto node, int index) {
        if (!hasInput(node, index)) {
            throw context.error("lacks its input " + (index + 1));
        }
        return node.getInput(index);
    }

    /**
     * Adds an IR layer with its parameters.
     *
     * @param layer the layer
     * @param tensors its parameters by suffix ({@code weight}, {@code bias}, ...)
     */
    void add(Layer layer, Map<String, Tensor> tensors) {
        layers.add(layer);
        tensors.forEach((suffix, tensor) -> parameters.put(layer.name() + "." + suffix, tensor));
    }

    /** Replaces the last layer of that name (a MatMul's linear layer taking the following Add's bias). */
    void replace(Layer old, Layer replacement, Map<String, Tensor> tensors) {
        layers.set(layers.lastIndexOf(old), replacement);
        tensors.forEach((suffix, tensor) -> parameters.put(replacement.name() + "." + suffix, tensor));
    }

    /** @return the IR layer of that name */
    Layer layer(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    /** @return a name for the layer a node becomes */
    String layerName(NodeContext context) {
        return names.of(context.name(), context.op());
    }

    static int[] intDims(long[] dims) {
        return Arrays.stream(dims).mapToInt(Math::toIntExact).toArray();
    }
}
