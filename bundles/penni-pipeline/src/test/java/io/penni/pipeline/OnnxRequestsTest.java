package io.penni.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.job.ModelSource;

/**
 * A request may start from an ONNX file under the model root: it is imported at intake, so a model that cannot
 * be imported, or cannot take the data set's images, is refused before a job starts. The ONNX files are
 * torch.onnx.export's (tools/onnx-fixtures/make-fixtures.py).
 */
class OnnxRequestsTest {

    private static final String FASHION = "\"dataset\": {\"format\": \"fashion-mnist\", \"path\": \"fashion-mnist\"}";

    @TempDir
    Path models;

    private RequestOutcome parse(String model) {
        String json = "{\"model\": " + model + ", " + FASHION + "}";
        // the real data set, as the server checks requests against it (the Debian package dataset-fashion-mnist)
        return CompressionRequests.parse(json.getBytes(StandardCharsets.UTF_8), Optional.of("key-1"),
                new RequestEnvironment(Path.of("/usr/share/datasets"), models, Set.of("vgg-small"), Set.of(),
                        Set.of("cpu")));
    }

    private List<String> rejected(String model) {
        return assertInstanceOf(RequestOutcome.Rejected.class, parse(model)).reasons();
    }

    private void copy(String fixture, String as) throws IOException {
        try (InputStream in = OnnxRequestsTest.class.getResourceAsStream("onnx/" + fixture)) {
            Files.copy(in, models.resolve(as));
        }
    }

    private static void assertMentions(List<String> reasons, String fragment) {
        assertTrue(reasons.stream().anyMatch(r -> r.contains(fragment)), reasons + " should mention «" + fragment + "»");
    }

    /** The exported Fashion-MNIST CNN under the model root as {@code file}: the accepted request's model. */
    private ModelSource acceptedModel(String file, String model) throws IOException {
        copy("fashion-cnn.onnx", file);
        return assertInstanceOf(RequestOutcome.Accepted.class, parse(model)).request().model();
    }

    @Test
    void anOnnxFileIsAcceptedAsAStoredOnnxModel() throws IOException {
        assertEquals(new ModelSource.Stored("fashion-cnn.onnx", ModelSource.Format.ONNX),
                acceptedModel("fashion-cnn.onnx", "{\"path\": \"fashion-cnn.onnx\"}"));
    }

    @Test
    void anExplicitFormatReadsAFileOfAnyName() throws IOException {
        assertEquals(new ModelSource.Stored("exported-model.bin", ModelSource.Format.ONNX),
                acceptedModel("exported-model.bin", "{\"path\": \"exported-model.bin\", \"format\": \"onnx\"}"));
    }

    @Test
    void anOnnxFileThatCannotBeImportedIsRejectedWithTheImportersMessage() throws IOException {
        Files.write(models.resolve("broken.onnx"), new byte[] {0x3A, (byte) 0xFF, (byte) 0xFF, 0x7F});

        assertMentions(rejected("{\"path\": \"broken.onnx\"}"),
                "/model/path: broken.onnx: not a readable ONNX model (truncated or corrupt)");
    }

    @Test
    void theImportersMessageNamesTheRequestsPathNotTheServersFolders() throws IOException {
        Files.createDirectories(models.resolve("team"));
        Files.write(models.resolve("team/empty.onnx"), new byte[0]);

        List<String> reasons = rejected("{\"path\": \"team/empty.onnx\"}");

        assertEquals(List.of("/model/path: team/empty.onnx: not an ONNX model: it has no graph nodes"), reasons);
    }

    @Test
    void aModelWhoseInputDoesNotFitTheDataSetIsRejectedWithBothShapesAndTheImageSizeHint() throws IOException {
        copy("cifar-cnn.onnx", "cifar-cnn.onnx");

        List<String> reasons = rejected("{\"path\": \"cifar-cnn.onnx\"}");

        assertMentions(reasons, "/model/path: the model 'cifar-cnn.onnx' takes images 3x32x32 but the data set gives"
                + " 1x28x28 (channels differ: export the model for grey images)");
        assertMentions(reasons, "set dataset.imageSize to 32");
    }

    @Test
    void aFormatBesideABuiltInArchitectureIsRejected() {
        assertMentions(rejected("{\"architecture\": \"vgg-small\", \"format\": \"onnx\"}"),
                "/model/format: is the format of a model file (path); a built-in architecture has none");
    }

    @Test
    void anUnknownFormatIsRejectedByTheSchema() {
        assertMentions(rejected("{\"path\": \"m.tflite\", \"format\": \"tflite\"}"), "/model/format: must be one of");
    }
}
