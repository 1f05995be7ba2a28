package io.penni.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.job.CompressionRequest;
import io.penni.model.Architectures;
import io.penni.model.GraphJson;

/**
 * Admission and the checks that need the model's graph: a request's cost is estimated from its model's counts (built
 * in or read from its graph file), one over the server's caps is refused, and so are more bases than a kernel has.
 */
class CostEstimateTest {

    /** This server's defaults (penni.workflow.cfg): 8 GiB, a week, 15 G MAC/s. */
    private static final AdmissionBudget DEFAULTS = new AdmissionBudget(8L << 30, 168, 15e9);

    private static RequestEnvironment environment(AdmissionBudget budget) {
        return environment(budget, Path.of("models"));
    }

    private static RequestEnvironment environment(AdmissionBudget budget, Path models) {
        return new RequestEnvironment(Path.of("/usr/share/datasets"), models,
                Set.copyOf(Architectures.names()), Set.of("std-threshold", "global-magnitude", "layer-sparsity",
                        "protect-critical"), Set.of("cpu", "dense-reference", "cuda"), budget);
    }

    private static RequestOutcome parse(String json, AdmissionBudget budget) {
        return CompressionRequests.parse(json.getBytes(StandardCharsets.UTF_8), Optional.of("k"), environment(budget));
    }

    private static CompressionRequest request(String architecture, String format, String extra) {
        String json = "{\"model\": {\"architecture\": \"" + architecture + "\"}, \"dataset\": {\"format\": \"" + format
                + "\", \"path\": \"" + format + "\"}" + extra + "}";
        return assertInstanceOf(RequestOutcome.Accepted.class, parse(json, AdmissionBudget.UNLIMITED)).request();
    }

    @Test
    void thePapersScheduleOnFashionMnistFitsTheDefaultBudgetAndIsEstimatedFromTheCounts() {
        CostEstimate estimate = CostEstimate.of(request("vgg-small", "fashion-mnist", ""),
                Architectures.network("vgg-small"));
        assertEquals(60_000, estimate.images());
        assertEquals(100 + 100 + 30, estimate.epochs());
        assertEquals(3.0 * estimate.macsPerImage() * 60_000 * 230, estimate.trainingMacs(), 1);
        assertEquals(List.of(), estimate.over(DEFAULTS));
        double hours = estimate.hours(DEFAULTS);
        assertTrue(hours > 10 && hours < 40, "vgg-small's 230 epochs: " + hours + " h");
    }

    @Test
    void weeksOfTrainingAreRefusedWithTheEstimateAndTheCap() {
        String json = "{\"model\": {\"architecture\": \"resnet18-cifar\"}, "
                + "\"dataset\": {\"format\": \"fashion-mnist\", \"path\": \"fashion-mnist\"}}";
        RequestOutcome.Rejected rejected = assertInstanceOf(RequestOutcome.Rejected.class, parse(json, DEFAULTS));
        String reason = rejected.summary();
        assertTrue(reason.contains("hours of training") && reason.contains("over this server's cap of 168 hours")
                && reason.contains("admission.max.hours"), reason);
    }

    @Test
    void aBatchThatCannotFitInMemoryIsRefusedWithTheEstimateAndTheCap() {
        String json = "{\"model\": {\"architecture\": \"vgg-small\"}, \"dataset\": {\"format\": \"fashion-mnist\", "
                + "\"path\": \"fashion-mnist\", \"trainLimit\": 1000}, \"pretrain\": {\"epochs\": 1, \"batchSize\": 4096}}";
        AdmissionBudget small = new AdmissionBudget(1L << 30, 0, 15e9);
        String reason = assertInstanceOf(RequestOutcome.Rejected.class, parse(json, small)).summary();
        assertTrue(reason.contains("of memory (training at batch 4096)") && reason.contains("cap of 1.0 GiB")
                && reason.contains("admission.max.memory"), reason);
        assertInstanceOf(RequestOutcome.Accepted.class, parse(json, AdmissionBudget.UNLIMITED));
    }

    @Test
    void aStoredModelIsEstimatedFromItsGraphAndRefusedOverTheCap(@TempDir Path models) throws java.io.IOException {
        java.nio.file.Files.writeString(models.resolve("big.json"),
                GraphJson.write(Architectures.network("resnet18-cifar")));
        String json = "{\"model\": {\"path\": \"big.json\"}, "
                + "\"dataset\": {\"format\": \"fashion-mnist\", \"path\": \"fashion-mnist\"}}";
        String reason = assertInstanceOf(RequestOutcome.Rejected.class, CompressionRequests.parse(
                json.getBytes(StandardCharsets.UTF_8), Optional.of("k"), environment(DEFAULTS, models))).summary();
        assertTrue(reason.contains("hours of training") && reason.contains("admission.max.hours"), reason);
        assertInstanceOf(RequestOutcome.Accepted.class, CompressionRequests.parse(json.getBytes(StandardCharsets.UTF_8),
                Optional.of("k"), environment(AdmissionBudget.UNLIMITED, models)));
    }

    @Test
    void aStoredModelWhoseGraphDoesNotReadIsRefusedAtOnceNamingItsPathOnly(@TempDir Path models)
            throws java.io.IOException {
        java.nio.file.Files.writeString(models.resolve("broken.json"), "{\"format\": \"penni-model\", \"layers\": [");
        String json = "{\"model\": {\"path\": \"broken.json\"}, "
                + "\"dataset\": {\"format\": \"fashion-mnist\", \"path\": \"fashion-mnist\"}}";
        String reason = assertInstanceOf(RequestOutcome.Rejected.class, CompressionRequests.parse(
                json.getBytes(StandardCharsets.UTF_8), Optional.of("k"), environment(DEFAULTS, models))).summary();
        assertTrue(reason.startsWith("/model/path: broken.json: "), reason);
        assertFalse(reason.contains(models.toString()), "the server's own folders are not told: " + reason);
    }

    @Test
    void moreBasesThanTheLargestKernelHasValuesAreRefusedAndKTimesKIsAccepted() {
        String request = "{\"model\": {\"architecture\": \"vgg-small\"}, \"dataset\": {\"format\": "
                + "\"fashion-mnist\", \"path\": \"fashion-mnist\", \"trainLimit\": 100}, \"penni\": {\"bases\": %d}}";
        String reason = assertInstanceOf(RequestOutcome.Rejected.class, parse(request.formatted(10), DEFAULTS))
                .summary();
        assertEquals("/penni/bases: 10 is more than the largest kernel of this model has values (3x3 = 9); a layer "
                + "gets at most k*k bases, where it is already exact", reason);
        assertInstanceOf(RequestOutcome.Accepted.class, parse(request.formatted(9), DEFAULTS));
    }

    @Test
    void everyShippedRequestFitsTheDefaultBudget() throws java.io.IOException {
        Path repo = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();
        int checked = 0;
        for (Path folder : List.of(repo.resolve("examples"), repo.resolve("bench/training"))) {
            try (var files = java.nio.file.Files.list(folder)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                    RequestOutcome outcome = CompressionRequests.parse(java.nio.file.Files.readAllBytes(file),
                            Optional.empty(), environment(DEFAULTS, repo.resolve("examples/models"))
                                    .withRecipes(repo.resolve("runtime-config/recipes")));
                    assertInstanceOf(RequestOutcome.Accepted.class, outcome, file + ": " + outcome);
                    checked++;
                }
            }
        }
        assertTrue(checked >= 4, "the shipped requests were found: " + checked);
    }
}
