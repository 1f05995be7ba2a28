package io.penni.workflow.internal;

import static io.penni.workflow.internal.WorkflowHarness.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.penni.pipeline.RequestEnvironment;

/** ONNX models through the request intake and a real broker: what cannot start a job is rejected with the reason. */
@Timeout(180)
class OnnxIntakeTest extends RealBrokerTest {

    private static final String REJECTED = "io.penni.job.rejected";
    private static final String ACCEPTED = "io.penni.job.accepted";
    /** torch.onnx.export's files, written by tools/onnx-fixtures/make-fixtures.py for the intake's tests. */
    private static final Path EXPORTED = Path.of("../penni-pipeline/src/test/resources/io/penni/pipeline/onnx");

    private static byte[] request(String modelPath) {
        return ("{\"model\": {\"path\": \"" + modelPath + "\"}, \"dataset\": {\"format\": \"fashion-mnist\","
                + " \"path\": \"fashion-mnist\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private String reasons(String key) throws Exception {
        return String.valueOf(kafka.events(key, e -> count(e, REJECTED) == 1).stream()
                .filter(e -> e.type().type().equals(REJECTED)).findFirst().orElseThrow().data().get("reasons"));
    }

    @Test
    void onnxModelsThatCannotStartAJobAreRejectedWithTheReasonAndOneThatCanIsAccepted() throws Exception {
        Path models = Files.createDirectories(folder.resolve("models"));
        Files.write(models.resolve("cut.onnx"), Arrays.copyOf(Files.readAllBytes(EXPORTED.resolve("fashion-cnn.onnx")),
                1000));
        Files.copy(EXPORTED.resolve("cifar-cnn.onnx"), models.resolve("cifar-cnn.onnx"));
        Files.copy(EXPORTED.resolve("fashion-cnn.onnx"), models.resolve("fashion-cnn.onnx"));
        // the real data set, as the server checks requests against it (the Debian package dataset-fashion-mnist)
        RequestEnvironment environment = new RequestEnvironment(Path.of("/usr/share/datasets"), models,
                Set.of("vgg-small"), Set.of(), Set.of("cpu"));
        kafka.startIntake(() -> environment);

        kafka.request("cut", request("cut.onnx"));
        kafka.request("cifar", request("cifar-cnn.onnx"));
        kafka.request("fashion", request("fashion-cnn.onnx"));

        assertTrue(reasons("cut").contains("/model/path: cut.onnx: not a readable ONNX model (truncated or corrupt)"),
                reasons("cut"));
        String cifar = reasons("cifar");
        assertTrue(cifar.contains("takes images 3x32x32 but the data set gives 1x28x28")
                && cifar.contains("dataset.imageSize"), cifar);
        assertEquals(1, count(kafka.events("fashion", e -> count(e, ACCEPTED) == 1), ACCEPTED));
    }
}
