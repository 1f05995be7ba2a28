package io.penni.onnx;

import static io.penni.onnx.GraphBuilder.integer;
import static io.penni.onnx.GraphBuilder.ints;
import static io.penni.onnx.GraphBuilder.real;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.ByteString;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Padding;
import io.penni.model.FileLimits;
import io.penni.model.ModelException;
import io.penni.onnx.internal.proto.OnnxIr.AttributeProto;
import io.penni.onnx.internal.proto.OnnxIr.StringStringEntryProto;
import io.penni.onnx.internal.proto.OnnxIr.TensorProto;

/** What cannot be imported is refused with one message naming the file, the node or tensor, and what is supported. */
class OnnxImportRefusalsTest {

    private static final String FILE = "model.onnx";

    /** x [3, 8, 8] → Conv 3→4 3×3 pad 1 → Relu → GlobalAveragePool → Flatten → Gemm 4→2 (transB) → y. */
    private static GraphBuilder classifier(AttributeProto... convAttributes) {
        return new GraphBuilder(3, 8).weight("w", 4, 3, 3, 3).weight("b", 4).weight("fw", 2, 4).weight("fb", 2)
                .node("Conv", "conv", new String[] {"x", "w", "b"}, "c", convAttributes.length > 0 ? convAttributes
                        : new AttributeProto[] {ints("pads", 1, 1, 1, 1)})
                .node("Relu", "relu", new String[] {"c"}, "r")
                .node("GlobalAveragePool", "gap", new String[] {"r"}, "g")
                .node("Flatten", "flat", new String[] {"g"}, "f")
                .node("Gemm", "fc", new String[] {"f", "fw", "fb"}, "y", integer("transB", 1));
    }

    private static String refusal(GraphBuilder graph) {
        return assertThrows(ModelException.class, () -> OnnxImport.read(graph.bytes(), FILE, "m")).getMessage();
    }

    private static void assertMessage(String expected, String message) {
        assertTrue(message.contains(expected), "expected «" + expected + "» in: " + message);
    }

    @Test
    void weightsInTypedFieldsImportLikeWeightsInRawData() {
        GraphBuilder typed = classifier();
        typed.graph().clearInitializer().addAllInitializer(List.of(GraphBuilder.typed("w", 4, 3, 3, 3),
                GraphBuilder.typed("b", 4), GraphBuilder.typed("fw", 2, 4), GraphBuilder.typed("fb", 2)));

        Model fromRaw = OnnxImport.read(classifier().bytes(), FILE, "m");
        Model fromTyped = OnnxImport.read(typed.bytes(), FILE, "m");

        assertEquals(fromRaw, fromTyped);
        assertEquals(new Layer.Conv2d("conv", "x", 4, 3, 3, 1, 1, 1, true), fromRaw.network().layers().get(1));
    }

    @Test
    void unnamedAndSameNamedNodesGetUniqueLayerNames() {
        GraphBuilder graph = classifier();
        graph.graph().getNodeBuilder(1).setName("");
        graph.graph().getNodeBuilder(2).setName("conv");

        Model model = OnnxImport.read(graph.bytes(), FILE, "m");

        // the Flatten of a 4x1x1 map is no layer: in the IR that map already is its flattening
        assertEquals(List.of("x", "conv", "Relu_1", "conv_2", "fc"),
                model.network().layers().stream().map(Layer::name).toList());
    }

    @Test
    void dropoutAndIdentityImport() {
        GraphBuilder graph = classifier();
        graph.graph().getNodeBuilder(4).setOutput(0, "z");
        graph.initializer(TensorProto.newBuilder().setName("ratio").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(0.25f).build()).node("Dropout", "drop", new String[] {"z", "ratio"}, "d")
                .node("Identity", "same", new String[] {"d"}, "y");

        Model model = OnnxImport.read(graph.bytes(), FILE, "m");

        Layer.Dropout dropout = (Layer.Dropout) model.network().layers().get(5);
        assertEquals("fc", dropout.input());
        assertEquals(0.25, dropout.rate());
        assertEquals("drop", model.network().output());
    }

    @Test
    void anUnsupportedOperatorIsRefusedNamingTheNodeAndTheSupportedOnes() {
        GraphBuilder graph = classifier();
        graph.graph().getNodeBuilder(1).setOpType("Sigmoid");

        String message = refusal(graph);

        assertMessage("model.onnx: node 'relu' (Sigmoid): operator Sigmoid is not supported; supported: Conv,"
                + " BatchNormalization, Relu", message);
    }

    @Test
    void anOperatorOfAnotherDomainIsRefused() {
        GraphBuilder graph = classifier();
        graph.graph().getNodeBuilder(1).setDomain("com.microsoft");

        assertMessage("node 'relu' (Relu): operators of domain 'com.microsoft' are not supported", refusal(graph));
    }

    @Test
    void aClampOtherThanABoundedReluIsRefusedNamingItsBounds() {
        GraphBuilder graph = classifier();
        graph.graph().getNodeBuilder(1).setOpType("Clip").addAttribute(real("min", -1f)).addAttribute(real("max", 1f));
        graph.opset(9);

        assertMessage("node 'relu' (Clip): Clip to [-1.0, 1.0] has no IR layer; supported: Clip with min 0 and a"
                + " positive max or none (ReLU6, ReLU)", refusal(graph));
    }

    @Test
    void dilationIsRefused() {
        assertMessage("node 'conv' (Conv): dilations [2, 2] are not supported; supported: dilation 1",
                refusal(classifier(ints("dilations", 2, 2), ints("pads", 2, 2, 2, 2))));
    }

    @Test
    void asymmetricPadsThatChangeTheOutputImportPerSide() {
        Model model = OnnxImport.read(classifier(ints("pads", 0, 0, 1, 1)).bytes(), FILE, "m");
        assertEquals(new Layer.Conv2d("conv", "x", 4, 3, 3, 1, new Padding(0, 0, 1, 1), 1, true),
                model.network().layers().get(1));

        Model lowered = OnnxImport.read(classifier(ints("pads", 2, 0, 0, 1), ints("strides", 2, 2)).bytes(), FILE,
                "m");
        assertEquals(new Padding(2, 0, 0, 1), ((Layer.Conv2d) lowered.network().layers().get(1)).padding(),
                "top and left may differ too");
        // the bottom's second row of [2, 0, 1, 1] is never reached at stride 2: the height keeps 2 on both ends
        Model even = OnnxImport.read(classifier(ints("pads", 2, 0, 1, 1), ints("strides", 2, 2)).bytes(), FILE, "m");
        assertEquals(new Padding(2, 0, 2, 1), ((Layer.Conv2d) even.network().layers().get(1)).padding());
    }

    /** x → Pad (pads as an int64 initializer, opset 13) → Conv 3→4 3×3 → the rest of {@link #classifier}. */
    private static GraphBuilder padded(String mode, float value, long... pads) {
        GraphBuilder graph = classifier(ints("pads", 0, 0, 0, 0));
        graph.initializer(TensorProto.newBuilder().setName("pads").setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(pads.length).addAllInt64Data(Arrays.stream(pads).boxed().toList()).build());
        graph.initializer(TensorProto.newBuilder().setName("zero").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(value).build());
        graph.graph().addNode(0, io.penni.onnx.internal.proto.OnnxIr.NodeProto.newBuilder().setOpType("Pad")
                .setName("pad").addAllInput(List.of("x", "pads", "zero")).addOutput("p")
                .addAttribute(GraphBuilder.text("mode", mode)));
        graph.graph().getNodeBuilder(1).setInput(0, "p");
        return graph.opset(13);
    }

    @Test
    void aZeroPadBeforeAConvIsFoldedIntoItsPads() {
        Model model = OnnxImport.read(padded("constant", 0f, 0, 0, 0, 0, 0, 0, 1, 1).bytes(), FILE, "m");

        assertEquals(List.of("x", "conv", "relu", "gap", "fc"), model.network().layers().stream().map(Layer::name)
                .toList());
        assertEquals(new Padding(0, 0, 1, 1), ((Layer.Conv2d) model.network().layers().get(1)).padding());
    }

    @Test
    void aPadThatIsNotZerosBeforeAConvIsRefusedNamingIt() {
        assertMessage("node 'pad' (Pad): pads with the constant 1.5; supported: Pad with zeros directly before"
                + " a Conv", refusal(padded("constant", 1.5f, 0, 0, 0, 0, 0, 0, 1, 1)));
        assertMessage("node 'pad' (Pad): mode 'reflect' is not supported; supported: Pad in constant mode with"
                + " zeros directly before a Conv", refusal(padded("reflect", 0f, 0, 0, 1, 1, 0, 0, 1, 1)));
        assertMessage("node 'pad' (Pad): pads [0, 1, 0, 0, 0, 0, 0, 0] pad the batch or channels",
                refusal(padded("constant", 0f, 0, 1, 0, 0, 0, 0, 0, 0)));
        assertMessage("node 'pad' (Pad): pads [0, 0, -1, 0, 0, 0, 0, 0] are not supported; supported: pads from 0",
                refusal(padded("constant", 0f, 0, 0, -1, 0, 0, 0, 0, 0)));
    }

    @Test
    void aZeroPadReadByAnythingButAConvIsRefusedNamingThePad() {
        GraphBuilder graph = padded("constant", 0f, 0, 0, 0, 0, 0, 0, 1, 1);
        graph.graph().getNodeBuilder(1).setOpType("MaxPool").clearAttribute().addAttribute(ints("kernel_shape", 3,
                3)).clearInput().addInput("p");

        assertMessage("node 'conv' (MaxPool): its input 1 'p' is the output of Pad node 'pad' (zeros added [top,"
                + " left, bottom, right] = [0, 0, 1, 1]), which only a Conv reading it directly takes into its own"
                + " pads", refusal(graph));
    }

    @Test
    void extraEndPaddingNoWindowReachesImportsAsTheSymmetricPadding() {
        Model model = OnnxImport.read(classifier(ints("pads", 1, 1, 0, 0), ints("strides", 2, 2)).bytes(), FILE,
                "m");

        assertEquals(new Layer.Conv2d("conv", "x", 4, 3, 3, 2, 1, 1, true), model.network().layers().get(1));
    }

    @Test
    void sameUpperAutoPadImports() {
        Model model = OnnxImport.read(classifier(text("auto_pad", "SAME_UPPER")).bytes(), FILE, "m");

        assertEquals(Padding.of(1), ((Layer.Conv2d) model.network().layers().get(1)).padding());
    }

    @Test
    void sameUpperAutoPadAtStrideTwoPadsTheEndOnly() {
        // Keras' SAME at stride 2 on 8×8 with a 3×3 kernel: 4 outputs need one more row and column at the end
        Model model = OnnxImport.read(classifier(text("auto_pad", "SAME_UPPER"), ints("strides", 2, 2)).bytes(), FILE,
                "m");

        assertEquals(new Padding(0, 0, 1, 1), ((Layer.Conv2d) model.network().layers().get(1)).padding());
    }

    @Test
    void aPoolRoundingUpIsRefused() {
        GraphBuilder graph = classifier();
        graph.graph().getNodeBuilder(2).setOpType("MaxPool").addAllAttribute(List.of(ints("kernel_shape", 3, 3),
                ints("strides", 2, 2), integer("ceil_mode", 1)));

        assertMessage("node 'gap' (MaxPool): ceil_mode 1 rounds the output height up to 4 where the IR rounds down"
                + " to 3", refusal(graph));
    }

    @Test
    void absurdWindowSizesAreRefusedBeforeAnyArithmetic() {
        GraphBuilder graph = classifier();
        graph.graph().getNodeBuilder(2).setOpType("MaxPool").addAllAttribute(List.of(ints("kernel_shape", 1L << 40,
                1L << 40)));
        assertMessage("node 'gap' (MaxPool): kernel [1099511627776, 1099511627776] is not supported; supported: a"
                + " kernel that fits its input 8x8 with its padding", refusal(graph));

        assertMessage("node 'conv' (Conv): pads [4294967296, 4294967296, 4294967296, 4294967296] are not"
                + " supported", refusal(classifier(ints("pads", 1L << 32, 1L << 32, 1L << 32, 1L << 32))));
        assertMessage("node 'conv' (Conv): strides [4294967296, 4294967296] are not supported",
                refusal(classifier(ints("strides", 1L << 32, 1L << 32))));
    }

    @Test
    void anAveragePoolNotCountingPaddingIsRefused() {
        GraphBuilder graph = classifier();
        graph.graph().getNodeBuilder(2).setOpType("AveragePool").addAllAttribute(List.of(ints("kernel_shape", 3, 3),
                ints("pads", 1, 1, 1, 1)));

        assertMessage("node 'gap' (AveragePool): averages over padding without counting the padded zeros"
                + " (count_include_pad 0)", refusal(graph));
    }

    @Test
    void aReshapeThatIsNotAFlattenIsRefused() {
        GraphBuilder graph = classifier();
        graph.initializer(TensorProto.newBuilder().setName("shape").setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(3).addAllInt64Data(List.of(0L, 2L, -1L)).build());
        graph.graph().setNode(3, graph.graph().getNode(3).toBuilder().setOpType("Reshape").addInput("shape"));
        graph.graph().getNodeBuilder(2).setOpType("Relu");

        assertMessage("node 'flat' (Reshape): reshapes an activation [batch, 4, 8, 8] to [0, 2, -1]; supported:"
                + " Flatten, Reshape and Squeeze that only flatten", refusal(graph));
    }

    @Test
    void aConcatenationOfActivationsIsRefused() {
        GraphBuilder graph = classifier();
        graph.graph().setNode(1, graph.graph().getNode(1).toBuilder().setOpType("Concat").addInput("c")
                .addAttribute(integer("axis", 1)));

        assertMessage("node 'relu' (Concat): concatenates activations (an activation [batch, 4, 8, 8]); the IR has no"
                + " concatenation layer", refusal(graph));
    }

    @Test
    void aConstantAddedToAConvolutionIsRefused() {
        GraphBuilder graph = classifier();
        graph.graph().setNode(1, graph.graph().getNode(1).toBuilder().setOpType("Add").addInput("b"));

        assertMessage("node 'relu' (Add): adds a float constant [4] to an activation [batch, 4, 8, 8]; supported:"
                + " Add of two activations of the same shape, or a bias added to a MatMul's output", refusal(graph));
    }

    @Test
    void anUnsupportedDataTypeIsRefusedByName() {
        GraphBuilder graph = classifier();
        graph.graph().setInitializer(0, graph.graph().getInitializer(0).toBuilder()
                .setDataType(TensorProto.DataType.FLOAT16_VALUE));

        assertMessage("model.onnx: initializer 'w' has data type FLOAT16; supported: FLOAT (float32) weights",
                refusal(graph));
    }

    @Test
    void externalDataIsRefused() {
        GraphBuilder graph = classifier();
        graph.graph().setInitializer(0, graph.graph().getInitializer(0).toBuilder().clearRawData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin")));

        assertMessage("initializer 'w' keeps its values in an external data file, which is not supported",
                refusal(graph));
    }

    @Test
    void dimensionsClaimingMoreValuesThanTheDataHoldsAreRefused() {
        GraphBuilder graph = classifier();
        graph.graph().setInitializer(0, graph.graph().getInitializer(0).toBuilder()
                .setRawData(ByteString.copyFrom(new byte[40])));

        assertMessage("initializer 'w' claims dimensions [4, 3, 3, 3] (108 values) but holds 10 values",
                refusal(graph));
    }

    @Test
    void aHugeShapeClaimIsRefusedBeforeAnythingIsAllocated() {
        GraphBuilder graph = classifier();
        graph.graph().setInitializer(0, graph.graph().getInitializer(0).toBuilder().clearDims()
                .addAllDims(List.of(1L << 20, 1L << 20, 1L << 20, 3L)));

        assertMessage("initializer 'w' claims dimensions [1048576, 1048576, 1048576, 3], more than 2147483647"
                + " values", refusal(graph));
    }

    @Test
    void anOpsetOutsideNineToTwentyOneIsRefused() {
        assertMessage("model.onnx: declares ONNX opset 8; supported: opsets 9 to 21", refusal(classifier().opset(8)));
        assertMessage("declares ONNX opset 22", refusal(classifier().opset(22)));
    }

    @Test
    void aSymbolicImageSizeIsRefused() {
        GraphBuilder graph = classifier();
        graph.graph().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(2)
                .setDimParam("height");

        assertMessage("the graph input 'x' has a symbolic size 'height' for its height; supported: a fixed"
                + " positive size", refusal(graph));
    }

    @Test
    void anImageSizeBeyondAnArrayIsRefused() {
        GraphBuilder graph = classifier();
        for (int axis = 1; axis < 4; axis++) {
            graph.graph().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                    .getDimBuilder(axis).setDimValue(Integer.MAX_VALUE);
        }

        assertMessage("the graph input 'x' has images of 2147483647x2147483647x2147483647, more than 2147483647"
                + " values each", refusal(graph));
    }

    @Test
    void aGraphWithTwoInputsIsRefused() {
        GraphBuilder graph = classifier();
        graph.graph().addInput(GraphBuilder.input("mask", 1, 8));

        assertMessage("the graph has 2 inputs [x, mask]; supported: one image input", refusal(graph));
    }

    @Test
    void aTruncatedFileIsRefused(@TempDir Path folder) throws IOException {
        byte[] whole = Files.readAllBytes(OnnxFixtures.model("resnet-bn"));
        Path file = folder.resolve("cut.onnx");
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));

        ModelException e = assertThrows(ModelException.class, () -> OnnxImport.read(file));

        assertMessage(file + ": not a readable ONNX model (truncated or corrupt)", e.getMessage());
    }

    @Test
    void aLengthClaimingMoreBytesThanTheFileIsRefused(@TempDir Path folder) throws IOException {
        Path file = folder.resolve("lying.onnx");
        // field 7 (graph), length-delimited, claiming 2^31 - 1 bytes in a 7-byte file
        Files.write(file, new byte[] {0x3A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0x00});

        assertMessage("not a readable ONNX model (truncated or corrupt)",
                assertThrows(ModelException.class, () -> OnnxImport.read(file)).getMessage());
    }

    @Test
    void aFileThatIsNoModelIsRefused(@TempDir Path folder) throws IOException {
        Path file = folder.resolve("empty.onnx");
        Files.write(file, new byte[0]);

        assertMessage(file + ": not an ONNX model: it has no graph nodes",
                assertThrows(ModelException.class, () -> OnnxImport.read(file)).getMessage());
    }

    @Test
    void aFileOverTheLimitIsRefusedBeforeItIsRead() {
        Path file = OnnxFixtures.model("resnet-bn");

        ModelException e = assertThrows(ModelException.class, () -> OnnxImport.read(file, new FileLimits(1000, 16)));

        assertMessage(file + ": is 88327 bytes, over the limit of 1000 bytes", e.getMessage());
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path folder) {
        Path file = folder.resolve("absent.onnx");

        assertEquals(file + ": no such file",
                assertThrows(ModelException.class, () -> OnnxImport.read(file)).getMessage());
    }

    private static AttributeProto text(String name, String value) {
        return GraphBuilder.text(name, value);
    }
}
