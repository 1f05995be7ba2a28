package io.penni.cli;

import static io.penni.cli.PenniCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.model.Model;
import io.penni.model.ModelFiles;
import io.penni.onnx.OnnxImport;

/** {@code model summary FILE.onnx} and {@code import FILE.onnx --out DIR} on a file torch.onnx.export wrote. */
class OnnxCommandsTest {

    /** The Fashion-MNIST-shaped CNN of tools/onnx-fixtures/make-fixtures.py, kept with penni-onnx's fixtures. */
    private static final Path FASHION_CNN = Path.of("../penni-onnx/src/test/resources/io/penni/onnx/fixtures/"
            + "fashion-cnn.onnx");

    @TempDir
    Path dir;

    @Test
    void modelSummaryOfAnOnnxFilePrintsTheImportedLayers() {
        PenniCliTest.Result result = run("model", "summary", FASHION_CNN.toString());

        assertEquals(0, result.status(), result.err());
        assertTrue(result.out().startsWith("network fashion-cnn, input 1x28x28"), result.out());
        assertTrue(result.out().contains("| features.features.0.Conv "), result.out());
        assertTrue(result.out().contains("| classifier.Gemm "), result.out());
    }

    @Test
    void importWritesModelFilesThatLoadAsTheImportedModel() {
        PenniCliTest.Result result = run("import", FASHION_CNN.toString(), "--out", dir.resolve("models").toString());

        assertEquals(0, result.status(), result.err());
        Path graph = dir.resolve("models/fashion-cnn.json");
        assertTrue(result.out().startsWith("network fashion-cnn, input 1x28x28"), result.out());
        assertTrue(result.out().endsWith("wrote " + graph + " and " + dir.resolve("models/fashion-cnn.safetensors")
                + "\n"), result.out());
        Model imported = OnnxImport.read(FASHION_CNN);
        assertEquals(imported, ModelFiles.load(graph));
    }

    @Test
    void anOnnxFileThatCannotBeImportedIsOneErrorLine() throws IOException {
        Path broken = dir.resolve("broken.onnx");
        Files.write(broken, new byte[] {0x3A, (byte) 0xFF, 0x7F});

        PenniCliTest.Result result = run("import", broken.toString(), "--out", dir.toString());

        assertEquals(1, result.status());
        assertTrue(result.err().startsWith("penni: " + broken + ": not a readable ONNX model (truncated or corrupt)"),
                result.err());
        assertEquals(1, result.err().lines().count(), result.err());
        assertEquals("", result.out());
    }

    @Test
    void importWithoutOutIsAUsageError() {
        PenniCliTest.Result result = run("import", FASHION_CNN.toString());

        assertEquals(2, result.status());
        assertEquals("penni: import: give the folder to write the model files to; usage: import FILE.onnx --out DIR\n",
                result.err());
    }
}
