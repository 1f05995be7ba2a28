package io.penni.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.job.Augmentation;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.ModelSource;
import io.penni.api.job.TrainingSchedule;
import io.penni.pipeline.internal.JsonSchema;

class CompressionRequestsTest {

    @TempDir
    Path models;

    private RequestEnvironment environment() {
        return new RequestEnvironment(Path.of("/usr/share/datasets"), models, Set.of("vgg-small", "resnet-small"),
                Set.of("std-threshold"), Set.of("cpu"));
    }

    private RequestOutcome parse(String json) {
        return CompressionRequests.parse(json.getBytes(StandardCharsets.UTF_8), Optional.of("key-1"), environment());
    }

    private List<String> rejected(String json) {
        return assertInstanceOf(RequestOutcome.Rejected.class, parse(json)).reasons();
    }

    private static void assertMentions(List<String> reasons, String fragment) {
        assertTrue(reasons.stream().anyMatch(r -> r.contains(fragment)), reasons + " should mention " + fragment);
    }

    @Test
    void aMinimalRequestGetsThePapersDefaults() {
        CompressionRequest r = assertInstanceOf(RequestOutcome.Accepted.class, parse("""
                {"model": {"architecture": "vgg-small"},
                 "dataset": {"format": "fashion-mnist", "path": "fashion-mnist"}}""")).request();
        assertEquals("key-1", r.jobId());
        assertEquals(new ModelSource.BuiltIn("vgg-small", 42), r.model());
        assertEquals(5, r.penni().bases());
        assertEquals(1e-4, r.penni().l1());
        assertEquals(5, r.penni().switchEvery());
        assertEquals(TrainingSchedule.paper(100), r.penni().retrain());
        assertEquals(TrainingSchedule.paper(30), r.penni().finetune());
        assertEquals(new TrainingSchedule(100, 0.01, List.of(0.5, 0.75), 0.1, 128, 0.9, true, 1e-4), r.pretrain());
        assertEquals(Augmentation.NONE, r.dataset().augmentation());
        assertEquals(Optional.empty(), r.pruning().strategy());
        assertEquals(List.of("cpu"), r.evaluation().backends());
        assertEquals(List.of(1, 32, 128), r.evaluation().batchSizes());
    }

    @Test
    void givenValuesOverrideDefaultsFieldByField() {
        CompressionRequest r = assertInstanceOf(RequestOutcome.Accepted.class, parse("""
                {"jobId": "mine", "seed": 7, "model": {"architecture": "resnet-small"},
                 "dataset": {"format": "fashion-mnist", "path": "fashion-mnist", "trainLimit": 1000},
                 "penni": {"bases": 4, "retrain": {"epochs": 3, "batchSize": 64}},
                 "pruning": {"strategy": "std-threshold", "parameters": {"s": 0.8}}}""")).request();
        assertEquals("mine", r.jobId());
        assertEquals(new ModelSource.BuiltIn("resnet-small", 7), r.model());
        assertEquals(4, r.penni().bases());
        assertEquals(3, r.penni().retrain().epochs());
        assertEquals(64, r.penni().retrain().batchSize());
        assertEquals(0.01, r.penni().retrain().learningRate());
        assertEquals(Map.of("s", "0.8"), r.pruning().parameters());
        assertEquals(1000, r.dataset().trainLimit());
    }

    @Test
    void absurdNumbersAreRejectedWithTheFieldBeforeAnyConversion() {
        // each once passed validation: 1e12 epochs overflowed an int and stopped the request intake for good,
        // 1e9 and 1e400 bases became jobs that could only fail hours later
        String data = "\"dataset\": {\"format\": \"fashion-mnist\", \"path\": \"fashion-mnist\"}";
        assertMentions(rejected("{\"model\": {\"architecture\": \"vgg-small\"}, " + data
                + ", \"penni\": {\"retrain\": {\"epochs\": 1000000000000}}}"),
                "/penni/retrain/epochs: must be at most 10000");
        assertMentions(rejected("{\"model\": {\"architecture\": \"vgg-small\"}, " + data
                + ", \"pretrain\": {\"epochs\": 10001}}"), "/pretrain/epochs: must be at most 10000");
        assertMentions(rejected("{\"model\": {\"architecture\": \"vgg-small\"}, " + data
                + ", \"penni\": {\"bases\": 1000000000}}"), "/penni/bases: must be at most 121");
        assertMentions(rejected("{\"model\": {\"architecture\": \"vgg-small\"}, " + data
                + ", \"penni\": {\"bases\": 1e400}}"), "/penni/bases");
    }

    @Test
    void malformedJsonSaysWhere() {
        assertMentions(rejected("{\"model\": {\"architecture\": \"vgg-small\",}"), "not valid JSON at line 1");
        assertMentions(rejected(""), "empty");
        String valid = "{\"model\": {\"architecture\": \"vgg-small\"}, "
                + "\"dataset\": {\"format\": \"fashion-mnist\", \"path\": \"fashion-mnist\"}}";
        assertMentions(rejected(valid + " }"), "not valid JSON");
        assertMentions(rejected(valid + valid), "not valid JSON");
    }

    @Test
    void schemaViolationsNameTheField() {
        List<String> reasons = rejected("""
                {"model": {"architecture": "vgg-small", "path": "x.json"},
                 "dataset": {"format": "svhn", "path": "x"},
                 "penni": {"bases": 0, "retrain": {"learningRate": -1}}, "colour": "blue"}""");
        assertMentions(reasons, "/model: must have exactly one of architecture, path (has architecture and path)");
        assertMentions(reasons, "/dataset/format: must be one of");
        assertMentions(reasons, "/penni/bases: must be at least 1");
        assertMentions(reasons, "/penni/retrain/learningRate: must be greater than 0");
        assertMentions(reasons, "unknown field 'colour'");
        assertMentions(rejected("{\"dataset\": {\"format\": \"mnist\", \"path\": \"m\"}}"), "missing required field 'model'");
        assertMentions(rejected("{\"model\": {\"architecture\": 5}, \"dataset\": {\"format\": \"mnist\", \"path\": \"m\"}}"),
                "/model/architecture: must be a string, is 5");
    }

    @Test
    void anUnknownArchitectureListsTheKnownOnes() {
        List<String> reasons = rejected("""
                {"model": {"architecture": "vgg-huge"}, "dataset": {"format": "fashion-mnist", "path": "fashion-mnist"}}""");
        assertMentions(reasons, "unknown architecture 'vgg-huge'; known: [resnet-small, vgg-small]");
    }

    @Test
    void anUnknownStrategyListsTheAvailableOnes() {
        assertMentions(rejected("""
                {"model": {"architecture": "vgg-small"}, "dataset": {"format": "fashion-mnist", "path": "fashion-mnist"},
                 "pruning": {"strategy": "random"}}"""), "unknown strategy 'random'; available: [std-threshold]");
    }

    @Test
    void aMissingDataSetIsRejected() {
        assertMentions(rejected("""
                {"model": {"architecture": "vgg-small"}, "dataset": {"format": "cifar10", "path": "cifar-10"}}"""),
                "/dataset: ");
    }

    @Test
    void pathsOutsideTheDataAndModelRootsAreRejected() throws IOException {
        assertMentions(rejected("""
                {"model": {"architecture": "vgg-small"}, "dataset": {"format": "fashion-mnist", "path": "../../etc"}}"""),
                "/dataset: ");
        assertMentions(rejected("""
                {"model": {"path": "../outside.json"}, "dataset": {"format": "fashion-mnist", "path": "fashion-mnist"}}"""),
                "/model/path: '../outside.json' is outside the model root");
        Files.writeString(models.resolve("m.json"), io.penni.model.GraphJson.write(
                io.penni.model.Architectures.network("vgg-small")));
        assertInstanceOf(RequestOutcome.Accepted.class, parse("""
                {"model": {"path": "m.json"}, "dataset": {"format": "fashion-mnist", "path": "fashion-mnist"}}"""));
    }

    @Test
    void oversizeRequestsAreRejectedBeforeParsing() {
        byte[] big = new byte[CompressionRequests.MAX_BYTES + 1];
        RequestOutcome.Rejected r = assertInstanceOf(RequestOutcome.Rejected.class,
                CompressionRequests.parse(big, Optional.empty(), environment()));
        assertMentions(r.reasons(), "at most 65536");
    }

    @Test
    void theValidatorRefusesSchemasUsingKeywordsItDoesNotCheck() throws IOException {
        var json = new ObjectMapper().readTree("{\"type\": \"object\", \"propertyNames\": {\"pattern\": \"^a\"}}");
        assertThrows(IllegalArgumentException.class, () -> new JsonSchema(json));
        new JsonSchema(CompressionRequests.schema()); // the published schema uses only checked keywords
    }

    @Test
    void theShippedExampleRequestsAreValid() throws IOException {
        Path examples = Path.of(System.getProperty("user.dir")).resolve("../../examples").normalize();
        if (!Files.isDirectory(examples)) {
            return;
        }
        try (var files = Files.list(examples)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                // as the server reads them: its recipes, its strategies, the demo's model copied into its model root
                RequestOutcome outcome = CompressionRequests.parse(Files.readAllBytes(file), Optional.empty(),
                        new RequestEnvironment(Path.of("/usr/share/datasets"), examples.resolve("models"),
                                Set.of("vgg-small", "resnet-small"), Set.of("std-threshold", "global-magnitude"),
                                Set.of("cpu"), AdmissionBudget.UNLIMITED)
                                .withRecipes(examples.resolveSibling("runtime-config/recipes")));
                assertInstanceOf(RequestOutcome.Accepted.class, outcome, file + ": " + outcome);
            }
        }
    }

    @Test
    void theDeployFieldHasTheBoundsTheServingRepositoryChecks() throws IOException {
        com.fasterxml.jackson.databind.JsonNode deploy = new ObjectMapper().readTree(
                CompressionRequests.class.getResourceAsStream(CompressionRequests.SCHEMA_RESOURCE))
                .path("properties").path("deploy").path("properties");
        for (io.penni.model.ModelDeployment.Limit limit : io.penni.model.ModelDeployment.LIMITS) {
            assertEquals(limit.min(), deploy.path(limit.key()).path("minimum").asLong(), limit.key());
            assertEquals(limit.max(), deploy.path(limit.key()).path("maximum").asLong(), limit.key());
        }
        assertInstanceOf(RequestOutcome.Accepted.class, parse("""
                {"model": {"architecture": "vgg-small"}, "dataset": {"format": "fashion-mnist", "path": "fashion-mnist"},
                 "deploy": {"name": "m", "queueCapacity": 4, "requestTimeoutMillis": 250}}"""));
        assertMentions(rejected("""
                {"model": {"architecture": "vgg-small"}, "dataset": {"format": "fashion-mnist", "path": "fashion-mnist"},
                 "deploy": {"queueCapacity": 0}}"""), "/deploy/queueCapacity");
    }
}
