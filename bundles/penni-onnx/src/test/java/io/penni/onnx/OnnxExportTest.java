package io.penni.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.InvalidProtocolBufferException;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.model.Architectures;
import io.penni.model.ModelException;
import io.penni.onnx.internal.export.GraphWriter;
import io.penni.onnx.internal.proto.OnnxIr.AttributeProto;
import io.penni.onnx.internal.proto.OnnxIr.ModelProto;
import io.penni.onnx.internal.proto.OnnxIr.NodeProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorShapeProto;

/** What the exported graph looks like: its header, its names, and each form's nodes. */
class OnnxExportTest {

    private static final Model DECOMPOSED = SyntheticCompression.decompose(Architectures.create("vgg-small", 1), 5, 1);

    private static ModelProto export(Model model, ExportForm form) throws InvalidProtocolBufferException {
        return ModelProto.parseFrom(OnnxExport.toBytes(model, form));
    }

    private static Map<String, NodeProto> nodes(ModelProto onnx) {
        return onnx.getGraph().getNodeList().stream().collect(Collectors.toMap(NodeProto::getName, n -> n));
    }

    private static List<Long> dims(ModelProto onnx, String initializer) {
        return onnx.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(initializer))
                .findFirst().map(TensorProto::getDimsList).orElseThrow();
    }

    private static long attribute(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .map(AttributeProto::getI).orElseThrow();
    }

    @Test
    void theFileDeclaresOpset17AndASymbolicBatchDimension() throws InvalidProtocolBufferException {
        ModelProto onnx = export(Architectures.create("resnet-small", 1), ExportForm.DENSE);

        assertEquals(OnnxFormat.EXPORT_IR_VERSION, onnx.getIrVersion());
        assertEquals(OnnxFormat.EXPORT_OPSET, onnx.getOpsetImport(0).getVersion());
        List<TensorShapeProto.Dimension> in = onnx.getGraph().getInput(0).getType().getTensorType().getShape()
                .getDimList();
        assertEquals(OnnxExport.INPUT, onnx.getGraph().getInput(0).getName());
        assertEquals(OnnxExport.BATCH, in.get(0).getDimParam());
        assertEquals(List.of(1L, 28L, 28L), in.subList(1, 4).stream().map(d -> d.getDimValue()).toList());
        List<TensorShapeProto.Dimension> out = onnx.getGraph().getOutput(0).getType().getTensorType().getShape()
                .getDimList();
        assertEquals(OnnxExport.OUTPUT, onnx.getGraph().getOutput(0).getName());
        assertEquals(OnnxExport.BATCH, out.get(0).getDimParam());
        assertEquals(10L, out.get(1).getDimValue());
    }

    @Test
    void everyLayerIsTheNodeOfItsNameExceptFoldedBatchNorms() throws InvalidProtocolBufferException {
        Model model = Architectures.create("resnet-small", 1);
        Set<String> nodes = nodes(export(model, ExportForm.DENSE)).keySet();

        for (Layer layer : model.network().layers()) {
            boolean folded = layer instanceof Layer.BatchNorm || layer instanceof Layer.Input;
            assertEquals(!folded, nodes.contains(layer.name()), layer.name());
        }
    }

    @Test
    void theFactoredFormIsAGroupedBasisConvolutionThenA1x1CoefficientConvolution()
            throws InvalidProtocolBufferException {
        ModelProto onnx = export(DECOMPOSED, ExportForm.FACTORED);
        Map<String, NodeProto> nodes = nodes(onnx);
        Layer.DecomposedConv2d conv3 = (Layer.DecomposedConv2d) DECOMPOSED.network().layers().stream()
                .filter(l -> l.name().equals("conv3")).findFirst().orElseThrow();

        NodeProto basis = nodes.get("conv3.basis");
        NodeProto coefficients = nodes.get("conv3");
        assertEquals(conv3.inChannels(), attribute(basis, "group"));
        assertEquals(List.of((long) conv3.inChannels() * 5, 1L, 3L, 3L), dims(onnx, basis.getInput(1)));
        assertEquals(basis.getOutput(0), coefficients.getInput(0));
        assertEquals(List.of((long) conv3.outChannels(), (long) conv3.inChannels() * 5, 1L, 1L),
                dims(onnx, coefficients.getInput(1)));
        assertEquals(1L, attribute(coefficients, "group"));
        // its batch norm is folded into the coefficient convolution's weight and bias
        assertEquals(3, coefficients.getInputCount());
        assertFalse(nodes.values().stream().anyMatch(n -> n.getOpType().equals("BatchNormalization")));
    }

    @Test
    void theDenseFormIsOneConvolutionPerDecomposedLayer() throws InvalidProtocolBufferException {
        ModelProto onnx = export(DECOMPOSED, ExportForm.DENSE);
        Map<String, NodeProto> nodes = nodes(onnx);

        assertFalse(nodes.containsKey("conv3.basis"));
        assertEquals(List.of(64L, 32L, 3L, 3L), dims(onnx, nodes.get("conv3").getInput(1)));
        assertEquals(1L, attribute(nodes.get("conv3"), "group"));
    }

    @Test
    void anInvalidModelIsRefusedNamingTheParameter() {
        Map<String, Tensor> parameters = new HashMap<>(DECOMPOSED.parameters());
        parameters.put("conv3.coefficients", Tensor.zeros(64, 64, 4));
        Model broken = new Model(DECOMPOSED.network(), parameters);

        ModelException e = assertThrows(ModelException.class, () -> OnnxExport.toBytes(broken, ExportForm.FACTORED));

        assertTrue(e.getMessage().startsWith("parameter conv3.coefficients: has shape [64, 64, 4]"), e.getMessage());
    }

    @Test
    void weightsPastWhatOneFileHoldsAreRefusedNamingTheLayer() {
        // vgg-small's weights pass 1 MiB at its sixth convolution (the limit in use is 2 GiB less 16 MiB)
        ModelException e = assertThrows(ModelException.class,
                () -> GraphWriter.write(DECOMPOSED, ExportForm.DENSE, 1 << 20));

        assertTrue(e.getMessage().startsWith("layer conv6: with its weights the ONNX file would hold "), e.getMessage());
    }

    @Test
    void writeLeavesTheWholeFileAndNothingElse(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.onnx");

        OnnxExport.write(DECOMPOSED, ExportForm.FACTORED, file);

        assertEquals(ModelProto.parseFrom(Files.readAllBytes(file)).getGraph().getNodeCount(),
                export(DECOMPOSED, ExportForm.FACTORED).getGraph().getNodeCount());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void formsAreNamedByTheirLabels() {
        assertEquals(Optional.of(ExportForm.FACTORED), ExportForm.of("factored"));
        assertEquals(Optional.of(ExportForm.DENSE), ExportForm.of(" Dense"));
        assertEquals(Optional.empty(), ExportForm.of("sparse"));
        assertEquals(ParameterNames.of("conv3", ParameterNames.BASIS), "conv3.basis");
    }
}
