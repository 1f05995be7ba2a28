package io.penni.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import com.google.protobuf.ByteString;

import io.penni.onnx.internal.proto.OnnxIr.AttributeProto;
import io.penni.onnx.internal.proto.OnnxIr.GraphProto;
import io.penni.onnx.internal.proto.OnnxIr.ModelProto;
import io.penni.onnx.internal.proto.OnnxIr.NodeProto;
import io.penni.onnx.internal.proto.OnnxIr.OperatorSetIdProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorShapeProto;
import io.penni.onnx.internal.proto.OnnxIr.TypeProto;
import io.penni.onnx.internal.proto.OnnxIr.ValueInfoProto;

/**
 * Small ONNX graphs written by hand for the cases a real exporter does not produce on demand (bad attributes,
 * lying tensors, unsupported types); the exporter's own files are in {@link OnnxFixtures}.
 */
final class GraphBuilder {

    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");
    private long opset = 13;

    /** A graph reading {@code x} [batch, channels, size, size] and writing {@code y}. */
    GraphBuilder(int channels, int size) {
        graph.addInput(input("x", channels, size));
        graph.addOutput(ValueInfoProto.newBuilder().setName("y"));
    }

    static ValueInfoProto input(String name, int channels, int size) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : new long[] {channels, size, size}) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    GraphBuilder opset(long version) {
        opset = version;
        return this;
    }

    GraphBuilder node(String op, String name, String[] inputs, String output, AttributeProto... attributes) {
        graph.addNode(NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(Arrays.asList(inputs))
                .addOutput(output).addAllAttribute(Arrays.asList(attributes)));
        return this;
    }

    GraphBuilder node(NodeProto node) {
        graph.addNode(node);
        return this;
    }

    /** A float32 initializer in raw_data, values 0.1, 0.2, ... */
    GraphBuilder weight(String name, long... dims) {
        graph.addInitializer(raw(name, dims));
        return this;
    }

    GraphBuilder initializer(TensorProto tensor) {
        graph.addInitializer(tensor);
        return this;
    }

    GraphProto.Builder graph() {
        return graph;
    }

    ModelProto model() {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph)
                .build();
    }

    byte[] bytes() {
        return model().toByteArray();
    }

    static TensorProto raw(String name, long... dims) {
        int n = (int) Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        ByteBuffer buffer = ByteBuffer.allocate(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            buffer.putFloat(values(i));
        }
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(Arrays.stream(dims).boxed().toList()).setRawData(ByteString.copyFrom(buffer.array()))
                .build();
    }

    /** The same values as {@link #raw} in the typed float_data field. */
    static TensorProto typed(String name, long... dims) {
        int n = (int) Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(Arrays.stream(dims).boxed().toList());
        for (int i = 0; i < n; i++) {
            t.addFloatData(values(i));
        }
        return t.build();
    }

    private static float values(int i) {
        return (i % 7 - 3) * 0.1f;
    }

    static AttributeProto ints(String name, long... values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(Arrays.stream(values).boxed().toList()).build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto text(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }
}
