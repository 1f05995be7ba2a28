package io.penni.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.protobuf.InvalidProtocolBufferException;

import io.penni.onnx.internal.proto.OnnxIr.GraphProto;
import io.penni.onnx.internal.proto.OnnxIr.ModelProto;
import io.penni.onnx.internal.proto.OnnxIr.NodeProto;
import io.penni.onnx.internal.proto.OnnxIr.OperatorSetIdProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorProto;

/** The generated ONNX classes write and read a model (the wire format itself is checked by ONNX Runtime elsewhere). */
class OnnxIrRoundTripTest {

    @Test
    void aModelWrittenReadsBackTheSame() throws InvalidProtocolBufferException {
        TensorProto weight = TensorProto.newBuilder().setName("w").addAllDims(List.of(2L, 1L, 1L, 1L))
                .setDataType(TensorProto.DataType.FLOAT_VALUE).addAllFloatData(List.of(1.5f, -2f)).build();
        ModelProto model = ModelProto.newBuilder().setIrVersion(OnnxFormat.EXPORT_IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(OnnxFormat.EXPORT_OPSET))
                .setGraph(GraphProto.newBuilder().setName("g").addInitializer(weight)
                        .addNode(NodeProto.newBuilder().setOpType("Conv").setName("conv1").addInput("x").addInput("w")
                                .addOutput("y")))
                .build();

        ModelProto read = ModelProto.parseFrom(model.toByteArray());

        assertEquals(model, read);
        assertEquals("Conv", read.getGraph().getNode(0).getOpType());
        assertArrayEquals(new float[] {1.5f, -2f}, new float[] {read.getGraph().getInitializer(0).getFloatData(0),
                read.getGraph().getInitializer(0).getFloatData(1)});
    }
}
