package io.penni.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.PruningSpec;
import io.penni.api.stage.DecompositionSummary;
import io.penni.api.stage.EvaluationSummary;
import io.penni.api.stage.OtherSummary;
import io.penni.api.stage.PruningSummary;
import io.penni.api.stage.ShrinkingSummary;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageSummary;
import io.penni.api.stage.TrainingSummary;
import io.penni.artifacts.testing.LocalJob;

/** Stage records keep a stage's typed summary: every kind reads back equal, under today's JSON field names. */
class StageRecordsTest {

    private static final StageFingerprint FINGERPRINT = new StageFingerprint("r", "i", "none");

    @TempDir
    Path folder;
    private LocalJob job;
    private ArtifactRef output;

    @BeforeEach
    void job() throws IOException {
        job = LocalJob.in(folder, "job-1", 5, new PruningSpec(Optional.empty(), Map.of()));
        output = job.artifacts().write("job-1", "alpha/out.txt", "x".getBytes(StandardCharsets.UTF_8));
    }

    static TrainingSummary retraining() {
        return new TrainingSummary(0.91, 0.99, 0.3, 2, OptionalInt.of(1), OptionalDouble.of(812.5), 12.25, 1234L,
                56789L, List.of(new TrainingSummary.Epoch(1, "bases", 0.01, 0.5, 0.8, OptionalDouble.of(0.85),
                        OptionalDouble.empty(), 0.1, 0.2, 800.0, 6.0),
                        new TrainingSummary.Epoch(2, "coefficients", 0.005, 0.4, 0.9, OptionalDouble.empty(),
                                OptionalDouble.of(0.33), 0.3, 0.4, 825.0, 6.25)),
                OptionalLong.of(1L << 33), Optional.empty(), OptionalDouble.of(0.4), OptionalDouble.of(0.3),
                OptionalDouble.of(1e-4), OptionalInt.of(2), OptionalInt.empty());
    }

    static EvaluationSummary evaluation() {
        EvaluationSummary.Latency fast = new EvaluationSummary.Latency(1.5, 2.25, 666.7, 12.5, 3.1, 20);
        EvaluationSummary.Latency dense = new EvaluationSummary.Latency(4.65, 5.0, 215.0, 4.0, 1.0, 20);
        EvaluationSummary.Memory small = new EvaluationSummary.Memory(1000L, 24L, 1024L, 0.25);
        EvaluationSummary.Memory big = new EvaluationSummary.Memory(4000L, 96L, 4096L, 1.0);
        return new EvaluationSummary("samediff", 60, new EvaluationSummary.Macs(100L, 400L),
                Map.of("cpu", 0.9), 0.92, Map.of("cpu", Map.of("batch_1", fast)), Map.of("batch_1", dense),
                Map.of("cpu", Map.of("batch_1", small)), Map.of("batch_1", big),
                Map.of("cpu", Map.of("plan", List.of(Map.of("layer", "conv1", "kernel", "spmm-8x4", "micros", 1.5)))));
    }

    static List<StageSummary> everyKind() {
        return List.of(retraining(),
                new DecompositionSummary(4, List.of(new DecompositionSummary.Layer("conv1", 3, 4, 0.01)), 0.01),
                new PruningSummary("std-threshold", "io.penni.strategy-std", "1.2.3", Map.of("t", "0.3"),
                        List.of(new PruningSummary.Layer("conv1", "COEFFICIENTS", 30, 100, 0.7)), 30, 100, 0.7,
                        List.of("conv1 keeps nothing")),
                new ShrinkingSummary(List.of(new ShrinkingSummary.Layer("conv1", new ShrinkingSummary.Change(64, 62),
                        new ShrinkingSummary.Change(3, 3), new ShrinkingSummary.Change(4, 3))),
                        new ShrinkingSummary.Change(1000, 800), new ShrinkingSummary.Change(5000, 3000)),
                evaluation(),
                new OtherSummary(Map.of("figure", 7, "label", "x", "list", List.of(1, 2))));
    }

    @Test
    void everyKindOfSummaryReadsBackEqualWithItsWallTime() throws IOException {
        for (StageSummary summary : everyKind()) {
            StageOutcome.Completed outcome = new StageOutcome.Completed(Map.of("out", output), summary).withSeconds(2.5);
            StageRecords.save(job.artifacts(), "job-1", "alpha", outcome, FINGERPRINT);
            assertEquals(Optional.of(outcome), StageRecords.find(job.artifacts(), "job-1", "alpha"),
                    summary.getClass().getSimpleName());
        }
    }

    @Test
    void theRecordNamesTheKindAndKeepsTodaysFieldNames() throws IOException {
        ArtifactRef ref = StageRecords.save(job.artifacts(), "job-1", "retrain",
                new StageOutcome.Completed(Map.of(), retraining()).withSeconds(1.0), FINGERPRINT);
        JsonNode summary = new ObjectMapper().readTree(Files.readAllBytes(job.artifacts().open(ref))).get("summary");
        assertEquals("training", summary.get("kind").asText());
        assertEquals(0.3, summary.get("zeroCoefficients").asDouble());
        assertEquals(812.5, summary.get("imagesPerSecond").asDouble());
        assertEquals(0.85, summary.get("history").get(0).get("testAccuracy").asDouble());
        assertFalse(summary.get("history").get(1).has("testAccuracy"), "an absent figure is left out");
        assertFalse(summary.has("source"));
        assertEquals(Optional.of(FINGERPRINT), StageRecords.read(job.artifacts(), "job-1", "retrain").orElseThrow()
                .fingerprint());

        ref = StageRecords.save(job.artifacts(), "job-1", "evaluate", new StageOutcome.Completed(Map.of(), evaluation()),
                FINGERPRINT);
        summary = new ObjectMapper().readTree(Files.readAllBytes(job.artifacts().open(ref))).get("summary");
        assertEquals("evaluation", summary.get("kind").asText());
        assertEquals("samediff", summary.get("reference_backend").asText());
        assertEquals(1.5, summary.at("/latency/cpu/batch_1/median_ms").asDouble());
        assertEquals(4096, summary.at("/dense_memory/batch_1/total_bytes").asLong());
        assertEquals("spmm-8x4", summary.at("/details/cpu/plan/0/kernel").asText());
    }

    @Test
    void aRecordWithoutAKindIsNotFoundSoTheStageRunsAgain() throws IOException {
        job.artifacts().write("job-1", "alpha/outcome.json",
                "{\"outputs\":{},\"summary\":{\"figure\":7}}".getBytes(StandardCharsets.UTF_8));
        assertTrue(StageRecords.find(job.artifacts(), "job-1", "alpha").isEmpty());
    }

    @Test
    void aThirdPartyFigureCannotTakeTheDiscriminatorsName() {
        assertThrows(IllegalArgumentException.class, () -> new OtherSummary(Map.of("kind", "mine")));
    }

    @Test
    void theHeadlineHoldsTheScalarFiguresByTheirFieldNames() {
        Map<String, Object> headline = retraining().headline();
        assertEquals(0.91, headline.get("accuracy"));
        assertEquals(0.3, headline.get("zeroCoefficients"));
        assertEquals(1234L, headline.get("params"));
        assertFalse(headline.containsKey("history"));
        assertFalse(headline.containsKey("source"));
        assertEquals(Map.of("figure", 7, "label", "x"), new OtherSummary(Map.of("figure", 7, "label", "x",
                "list", List.of(1))).headline());
    }
}
