package io.penni.onnx.internal.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.protobuf.ByteString;

import io.penni.model.ModelException;

import io.penni.onnx.internal.proto.OnnxIr.AttributeProto;
import io.penni.onnx.internal.proto.OnnxIr.GraphProto;
import io.penni.onnx.internal.proto.OnnxIr.NodeProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorProto;

/**
 * An ONNX graph being written: its nodes and initializers, the ONNX value each layer's output is, and the rank of
 * each value. Values are 4-D {@code [N, C, H, W]} or 2-D {@code [N, features]} (after a flatten or a linear
 * layer); {@link #fourD} turns a 2-D value back into {@code [N, features, 1, 1]} for a layer that needs 4-D input.
 */
final class OnnxGraph {

    private static final String FOUR_D_SHAPE = "penni.shape.n_c_1_1";

    private final GraphProto.Builder graph;
    /** Every name given to a value, an initializer or a node, so that helper names never collide. */
    private final Set<String> names = new HashSet<>();
    private final Set<String> reserved;
    /** The most bytes of weights one file may hold. */
    private final long weightLimit;
    private long weightBytes;
    /** The layer being written, for messages. */
    private String writing = "";
    /** The ONNX value holding each layer's output. */
    private final Map<String, String> layerValues = new HashMap<>();
    /** The rank of each ONNX value: 2 or 4. */
    private final Map<String, Integer> ranks = new HashMap<>();

    /**
     * @param graph the graph to add to
     * @param layerNames every layer's name: helper names avoid them
     * @param reserved the graph's input and output names: no layer's value takes them
     * @param weightLimit the most bytes of weights the file may hold
     */
    OnnxGraph(GraphProto.Builder graph, List<String> layerNames, Set<String> reserved, long weightLimit) {
        this.graph = graph;
        this.weightLimit = weightLimit;
        names.addAll(layerNames);
        names.addAll(reserved);
        this.reserved = Set.copyOf(reserved);
    }

    /**
     * The name of the ONNX value a layer's node writes: the layer's own name, unless that is one of the graph's
     * input and output names.
     *
     * @param layer the layer's name
     * @return the value's name
     */
    String valueName(String layer) {
        return reserved.contains(layer) ? unique(layer + ".value") : layer;
    }

    /**
     * Names the layer being written, for messages.
     *
     * @param layer the layer's name
     */
    void writing(String layer) {
        writing = layer;
    }

    /**
     * Records which ONNX value holds a layer's output.
     *
     * @param layer the layer
     * @param value the value
     * @param rank the value's rank
     */
    void define(String layer, String value, int rank) {
        layerValues.put(layer, value);
        ranks.put(value, rank);
        names.add(value);
    }

    /** @return the ONNX value holding a layer's output */
    String value(String layer) {
        String value = layerValues.get(layer);
        if (value == null) {
            throw new IllegalStateException("layer " + layer + " has no ONNX value yet");
        }
        return value;
    }

    /** @return the rank of the ONNX value holding a layer's output */
    int rank(String layer) {
        return ranks.get(value(layer));
    }

    /**
     * A name no layer, value or initializer has yet.
     *
     * @param wanted the name wanted
     * @return it, or it with a numbered suffix
     */
    String unique(String wanted) {
        String name = wanted;
        for (int i = 1; names.contains(name); i++) {
            name = wanted + "_" + i;
        }
        names.add(name);
        return name;
    }

    /**
     * A layer's input as a 4-D value: the value itself, or a reshape of a 2-D one to {@code [N, features, 1, 1]}.
     *
     * @param layer the layer whose output is read
     * @param reader the layer reading it (names the reshape node)
     * @return the 4-D value
     */
    String fourD(String layer, String reader) {
        String value = value(layer);
        if (ranks.get(value) == 4) {
            return value;
        }
        if (names.add(FOUR_D_SHAPE)) {
            graph.addInitializer(TensorProto.newBuilder().setName(FOUR_D_SHAPE)
                    .setDataType(TensorProto.DataType.INT64_VALUE).addDims(4)
                    .addAllInt64Data(List.of(0L, -1L, 1L, 1L)));
        }
        String reshaped = unique(reader + ".input_4d");
        node("Reshape", reshaped, List.of(value, FOUR_D_SHAPE), reshaped);
        ranks.put(reshaped, 4);
        return reshaped;
    }

    /**
     * A layer's input as a 2-D value {@code [N, features]}: the value itself, or a flatten of a 4-D one.
     *
     * @param layer the layer whose output is read
     * @param reader the layer reading it (names the flatten node)
     * @return the 2-D value
     */
    String twoD(String layer, String reader) {
        String value = value(layer);
        if (ranks.get(value) == 2) {
            return value;
        }
        String flat = unique(reader + ".input_2d");
        node("Flatten", flat, List.of(value), flat).addAttribute(integer("axis", 1));
        ranks.put(flat, 2);
        return flat;
    }

    /**
     * Adds a node.
     *
     * @param op the operator
     * @param name the node's name
     * @param inputs its input values
     * @param output its output value
     * @return the node's builder, to add attributes to
     */
    NodeProto.Builder node(String op, String name, List<String> inputs, String output) {
        names.add(output);
        return graph.addNodeBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
    }

    /**
     * Adds a float initializer.
     *
     * @param name its name
     * @param shape its dimensions
     * @param values its values, row-major
     * @return the name
     */
    String initializer(String name, long[] shape, float[] values) {
        weightBytes += (long) values.length * Float.BYTES;
        if (weightBytes > weightLimit) {
            throw new ModelException("layer " + writing + ": with its weights the ONNX file would hold "
                    + weightBytes + " bytes of weights, more than the " + weightLimit + " one protobuf message "
                    + "holds (this exporter writes no external data files)");
        }
        String unique = unique(name);
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        TensorProto.Builder tensor = graph.addInitializerBuilder().setName(unique)
                .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : shape) {
            tensor.addDims(d);
        }
        return unique;
    }

    /** @return an integer attribute */
    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value)
                .build();
    }

    /** @return a float attribute */
    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    /** @return an integer-list attribute */
    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }
}
