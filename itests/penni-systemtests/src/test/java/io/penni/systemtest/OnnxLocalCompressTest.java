package io.penni.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.model.ModelFiles;

/**
 * A request whose model is an ONNX file torch.onnx.export wrote (a small Fashion-MNIST CNN whose batch norm the
 * exporter folded into the convolutions' biases, from tools/onnx-fixtures/make-fixtures.py) runs every stage with
 * {@code bin/penni compress --local}: imported, retrained, decomposed, pruned, shrunk and measured, the report
 * naming the layers by their ONNX node names; the result's own {@code model.onnx}, run by ONNX Runtime, has the top-1
 * its report claims.
 */
class OnnxLocalCompressTest {

    private static final Path EXPORTED = Path.of(System.getProperty("penni.repo", "../.."),
            "bundles/penni-onnx/src/test/resources/io/penni/onnx/fixtures/fashion-cnn.onnx");

    @TempDir
    Path dir;

    @Test
    void anImportedOnnxModelRunsEveryStage() throws Exception {
        Path base = dir.resolve("base");
        ServerProcess.copyConfig(base);
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.copy(EXPORTED, models.resolve("fashion-cnn.onnx"));
        Path request = Files.writeString(dir.resolve("onnx.json"), """
                {"model": {"path": "fashion-cnn.onnx"},
                 "dataset": {"format": "fashion-mnist", "path": "fashion-mnist", "trainLimit": 1024, "testLimit": 512},
                 "penni": {"switchEvery": 1, "retrain": {"epochs": 2, "batchSize": 64, "learningRate": 0.05},
                           "finetune": {"epochs": 1, "batchSize": 64}},
                 "evaluation": {"batchSizes": [1, 8], "warmupRuns": 2, "timedRuns": 5}}""");
        Path out = dir.resolve("out");

        LauncherRun result = LauncherRun.of(base, "compress", request.toString(), "--local", "--out", out.toString(),
                "--model-root", models.toString());

        assertEquals(0, result.exitCode(), result.output());
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertTrue(report.at("/params/after").asLong() < report.at("/params/before").asLong(), report.toString());
        List<String> layers = new ArrayList<>();
        report.path("layers").forEach(l -> layers.add(l.path("name").asText()));
        assertTrue(layers.contains("features.features.4.Conv"), "the report speaks the ONNX node names: " + layers);
        Model compressed = ModelFiles.load(out.resolve("model.json"));
        Layer.DecomposedConv2d second = compressed.network().layers().stream()
                .filter(l -> l instanceof Layer.DecomposedConv2d d && d.name().equals("features.features.4.Conv"))
                .map(Layer.DecomposedConv2d.class::cast).findFirst().orElseThrow(() -> new AssertionError(
                        "the exported conv (bias, no BN) was decomposed: " + compressed.network().layers()));
        assertTrue(second.bias(), "its folded batch norm stays its bias");
        // and out again: the result's model.onnx, run by ONNX Runtime on the same images, has the report's top-1
        int[] onnx = OnnxRuntimeTopOne.correct(out.resolve("model.onnx"), new ObjectMapper().readTree(request.toFile()));
        assertEquals(report.at("/compressed/accuracy").asDouble(), onnx[0] / (double) onnx[1], 1.5 / onnx[1],
                "top-1 of model.onnx on ONNX Runtime against the report's");
    }
}
