package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.penni.api.model.Model;
import io.penni.api.model.Tensor;

class ModelFilesTest {

    @TempDir
    Path dir;

    static List<String> architectures() {
        return Architectures.names();
    }

    private Path saved(String architecture) {
        Path graph = dir.resolve("model.json");
        ModelFiles.save(Architectures.create(architecture, 5), graph);
        return graph;
    }

    /** Rewrites the weights file with the tensors changed by {@code edit}. */
    private void rewriteWeights(Path graph, Consumer<Map<String, StoredTensor>> edit) {
        Path weights = ModelFiles.weightsOf(graph);
        TensorFile file = SafeTensors.read(weights, FileLimits.DEFAULT);
        Map<String, StoredTensor> tensors = new LinkedHashMap<>(file.tensors());
        edit.accept(tensors);
        SafeTensors.write(weights, new TensorFile(tensors, file.metadata()));
    }

    private static String error(Path graph) {
        return assertThrows(ModelException.class, () -> ModelFiles.load(graph)).getMessage();
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void everyArchitectureRoundTripsExactly(String architecture) {
        Model model = Architectures.create(architecture, 11);
        Path graph = dir.resolve(architecture + ".json");
        ModelFiles.save(model, graph);
        assertEquals(model, ModelFiles.load(graph));
    }

    @Test
    void weightsLieBesideTheGraphWithTheSameName() {
        assertEquals(dir.resolve("m.v2.safetensors"), ModelFiles.weightsOf(dir.resolve("m.v2.json")));
    }

    @Test
    void graphFileNotEndingInJsonIsRefused() {
        Path graph = dir.resolve("model.txt");
        assertEquals(graph + ": a model's graph file must be named NAME.json",
                assertThrows(ModelException.class, () -> ModelFiles.weightsOf(graph)).getMessage());
    }

    @Test
    void weightsRecordTheFormatAndNetworkName() {
        Path graph = saved("vgg-small");
        assertEquals(Map.of("format", "penni-model", "network", "vgg-small"),
                SafeTensors.read(ModelFiles.weightsOf(graph), FileLimits.DEFAULT).metadata());
    }

    @Test
    void missingTensorIsNamedWithTheLayerThatNeedsIt() {
        Path graph = saved("vgg-small");
        rewriteWeights(graph, t -> t.remove("bn3.running_var"));
        assertEquals(ModelFiles.weightsOf(graph) + ": tensor 'bn3.running_var' is missing; layer bn3 needs it as F32 "
                + "[64]", error(graph));
    }

    @Test
    void extraTensorIsRejected() {
        Path graph = saved("vgg-small");
        rewriteWeights(graph, t -> t.put("conv1.bias", new StoredTensor.F32(Tensor.zeros(32))));
        assertEquals(ModelFiles.weightsOf(graph) + ": tensor 'conv1.bias' is not a parameter of network vgg-small "
                + "(graph model.json)", error(graph));
    }

    @Test
    void tensorOfTheWrongShapeIsRejected() {
        Path graph = saved("vgg-small");
        rewriteWeights(graph, t -> t.put("conv1.weight", new StoredTensor.F32(Tensor.zeros(32, 3, 3, 3))));
        assertEquals(ModelFiles.weightsOf(graph) + ": tensor 'conv1.weight' has shape [32, 3, 3, 3]; layer conv1 "
                + "needs [32, 1, 3, 3]", error(graph));
    }

    @Test
    void tensorOfTheWrongDtypeIsRejected() {
        Path graph = saved("vgg-small");
        rewriteWeights(graph, t -> t.put("fc2.bias", new StoredTensor.U8(new int[] {10}, new byte[10])));
        assertEquals(ModelFiles.weightsOf(graph) + ": tensor 'fc2.bias' is U8; layer fc2 needs F32", error(graph));
    }

    @Test
    void truncatedWeightsAreRejected() throws IOException {
        Path graph = saved("resnet-small");
        Path weights = ModelFiles.weightsOf(graph);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length - 1));
        String message = error(graph);
        assertTrue(message.startsWith(weights + ": tensor 'fc.bias': data_offsets ["), message);
        assertTrue(message.endsWith("run past the end of the data section (" + (bytes.length - 1 - 8
                - headerLength(bytes)) + " bytes)"), message);
    }

    @Test
    void oversizeWeightsAreRefused() {
        Path graph = saved("vgg-small");
        String message = assertThrows(ModelException.class,
                () -> ModelFiles.load(graph, new FileLimits(1 << 20, 1 << 20))).getMessage();
        assertTrue(message.startsWith(ModelFiles.weightsOf(graph) + ": "), message);
        assertTrue(message.endsWith(" bytes is more than the limit of 1048576 bytes"), message);
    }

    @Test
    void oversizeGraphIsRefused() {
        Path graph = saved("vgg-small");
        String message = assertThrows(ModelException.class,
                () -> ModelFiles.load(graph, new FileLimits(1 << 30, 100))).getMessage();
        assertTrue(message.startsWith(graph + ": "), message);
        assertTrue(message.endsWith(" bytes is more than the limit of 100 bytes for a graph"), message);
    }

    @Test
    void missingWeightsFileIsNamed() throws IOException {
        Path graph = saved("vgg-small");
        Files.delete(ModelFiles.weightsOf(graph));
        assertEquals(ModelFiles.weightsOf(graph) + ": no such file", error(graph));
    }

    @Test
    void invalidGraphIsNamedWithItsFile() throws IOException {
        Path graph = saved("vgg-small");
        Files.writeString(graph, Files.readString(graph).replace("\"inChannels\":32", "\"inChannels\":31"));
        assertEquals(graph + ": layer conv2: expects 31 input channels, its input 'relu1' has 32", error(graph));
    }

    @Test
    void savingAnInvalidModelWritesNothing() {
        Model model = Architectures.create("vgg-small", 1);
        Map<String, Tensor> parameters = new LinkedHashMap<>(model.parameters());
        parameters.remove("fc1.weight");
        Path graph = dir.resolve("bad.json");
        assertThrows(ModelException.class, () -> ModelFiles.save(new Model(model.network(), parameters), graph));
        assertEquals(false, Files.exists(graph));
        assertEquals(false, Files.exists(ModelFiles.weightsOf(graph)));
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
