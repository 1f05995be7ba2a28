package io.penni.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.cli.internal.CliException;
import io.penni.cli.internal.DeployCommand;
import io.penni.model.Architectures;
import io.penni.model.ModelFiles;

class DeployCommandTest {

    @TempDir
    Path dir;

    private String deploy(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, new DeployCommand(dir).run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8)));
        return out.toString(StandardCharsets.UTF_8);
    }

    private Path savedModel(String folder) {
        Path graph = dir.resolve(folder).resolve("model.json");
        try {
            Files.createDirectories(graph.getParent());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ModelFiles.save(Architectures.create("vgg-small", 1), graph);
        return graph;
    }

    @Test
    void eachDeployOfAModelFileIsTheNextVersionNamedAfterItsFolder() throws IOException {
        Path graph = savedModel("fashion");
        assertTrue(deploy(graph.toString()).contains("as fashion version 1"));
        assertTrue(deploy(graph.toString()).contains("as fashion version 2"));
        Path models = dir.resolve("var/models/fashion");
        try (Stream<Path> entries = Files.list(models)) {
            assertEquals(List.of("1", "2"), entries.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no staging folder is left behind");
        }
        assertEquals(Files.size(graph), Files.size(models.resolve("2/model.json")));
        assertEquals(Files.size(ModelFiles.weightsOf(graph)), Files.size(models.resolve("2/model.safetensors")));
    }

    @Test
    void nameAndRepositoryCanBeGiven() {
        Path graph = savedModel("m");
        Path repository = dir.resolve("elsewhere");
        deploy(graph.toString(), "--name", "vgg.v2", "--repository", repository.toString());
        assertTrue(Files.isRegularFile(repository.resolve("vgg.v2/1/model.json")));
    }

    @Test
    void aModelThatDoesNotLoadIsRefusedAndNothingIsWritten() throws IOException {
        Path graph = savedModel("broken");
        Files.write(ModelFiles.weightsOf(graph), new byte[] {1, 2, 3});
        CliException e = assertThrows(CliException.class, () -> deploy(graph.toString()));
        assertTrue(e.getMessage().startsWith("deploy: "), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("var/models/broken")), "refused before anything is written");
    }

    @Test
    void aNameThatIsNoFolderNameIsAUsageError() {
        Path graph = savedModel("m");
        CliException e = assertThrows(CliException.class, () -> deploy(graph.toString(), "--name", "../x"));
        assertTrue(e.getMessage().contains("not a model name"), e.getMessage());
    }

    @Test
    void backendBatchingAndLimitsAreWrittenIntoTheVersionsDeploymentFile() throws IOException {
        Path graph = savedModel("fashion");
        String out = deploy(graph.toString(), "--backend", "onnxruntime", "--max-batch", "8",
                "--max-queue-delay-micros", "500", "--queue-capacity", "64", "--request-timeout-millis", "1500");
        assertTrue(out.contains("as fashion version 1 (") && out.contains(") on the onnxruntime backend"), out);
        JsonNode deployment = new ObjectMapper().readTree(dir.resolve("var/models/fashion/1/deployment.json").toFile());
        assertEquals("onnxruntime", deployment.get("backend").asText());
        assertEquals(8, deployment.get("maxBatch").asInt());
        assertEquals(500, deployment.get("maxQueueDelayMicros").asInt());
        assertEquals(64, deployment.get("queueCapacity").asInt());
        assertEquals(1500, deployment.get("requestTimeoutMillis").asInt());
        assertEquals("file " + graph.toAbsolutePath().normalize(), deployment.get("source").asText());
        deploy(graph.toString());
        JsonNode plain = new ObjectMapper().readTree(dir.resolve("var/models/fashion/2/deployment.json").toFile());
        assertEquals(List.of("source"), iterable(plain), "without options only the source is said");
    }

    @Test
    void aBadBackendOrBatchIsAUsageErrorAndNothingIsWritten() {
        Path graph = savedModel("m");
        assertEquals("deploy: '../x' is not a backend name (cpu, onnxruntime, cuda, dense-reference)",
                assertThrows(CliException.class, () -> deploy(graph.toString(), "--backend", "../x")).getMessage());
        assertEquals("deploy: --max-batch must be a whole number from 1 to 4096, was '0'",
                assertThrows(CliException.class, () -> deploy(graph.toString(), "--max-batch", "0")).getMessage());
        assertEquals("deploy: --request-timeout-millis must be a whole number from 1 to 3600000, was 'soon'",
                assertThrows(CliException.class, () -> deploy(graph.toString(), "--request-timeout-millis", "soon"))
                        .getMessage());
        assertTrue(Files.notExists(dir.resolve("var/models/m")));
    }

    private static List<String> iterable(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
