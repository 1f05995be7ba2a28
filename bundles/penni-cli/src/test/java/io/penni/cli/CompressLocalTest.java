package io.penni.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.model.ModelFiles;

/**
 * The whole pipeline in one process on real Fashion-MNIST (a tiny budget: ~1,000 images, one or two epochs per
 * phase): every stage runs, the outputs the issue names are written, the model is compressed, and running the
 * command again reuses every finished stage.
 */
class CompressLocalTest {

    @TempDir
    Path dir;

    @Test
    void aRequestRunsThroughEveryStageAndWritesTheReportAndTheCompressedModel() throws Exception {
        Path request = Files.writeString(dir.resolve("tiny.json"), """
                {"model": {"architecture": "vgg-small"},
                 "dataset": {"format": "fashion-mnist", "path": "fashion-mnist", "trainLimit": 1024, "testLimit": 512},
                 "pretrain": {"epochs": 1, "batchSize": 64, "learningRate": 0.05},
                 "penni": {"switchEvery": 1, "retrain": {"epochs": 2, "batchSize": 64},
                           "finetune": {"epochs": 1, "batchSize": 64}},
                 "evaluation": {"batchSizes": [1, 8], "warmupRuns": 2, "timedRuns": 5}}""");
        Path out = dir.resolve("out");
        String printed = run(List.of("compress", request.toString(), "--local", "--out", out.toString()));

        for (String file : List.of("report.json", "report.md", "model.json", "model.safetensors", "learning-curves.csv")) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        for (String path : List.of("/baseline/accuracy", "/compressed/accuracy", "/params/before", "/params/after",
                "/macs/before", "/macs/after")) {
            assertTrue(report.at(path).isNumber(), path + " in report.json");
        }
        assertTrue(report.at("/params/after").asLong() < report.at("/params/before").asLong());
        assertTrue(report.at("/compressed/accuracy").asDouble() > 0.2, "the compressed model has learnt something");
        JsonNode layer = report.path("layers").get(0);
        for (String field : List.of("name", "kernel", "width", "basis", "coefs")) {
            assertTrue(layer.has(field), "layers[] entries have " + field + ": " + layer);
        }
        assertTrue(layer.at("/coefs/nnz/after").asLong() < layer.at("/coefs/total/before").asLong(), "pruned");
        assertEquals("std-threshold", report.at("/pruning/strategy").asText(), "the report names the strategy");
        assertEquals("1.0", report.at("/pruning/parameters/s").asText(), "and its parameters");
        // each stage's typed summary keeps the field names the report always had
        for (String path : List.of("/stages/pretrain/accuracy", "/stages/retrain/zeroCoefficients",
                "/stages/retrain/seconds", "/stages/decompose/maxRelativeError", "/stages/prune/sparsity",
                "/stages/shrink/params/after", "/learningCurves/retrain/0/learningRate", "/inference/dense_accuracy",
                "/inference/dense_latency/batch_8/median_ms", "/inference/macs_per_image/compressed")) {
            assertTrue(report.at(path).isNumber(), path + " in report.json");
        }
        assertTrue(report.at("/stages/retrain/history").isMissingNode(), "the epochs are under learningCurves");
        Model compressed = ModelFiles.load(out.resolve("model.json"));
        assertTrue(compressed.network().layers().stream().anyMatch(l -> l instanceof Layer.DecomposedConv2d));
        assertTrue(printed.contains("conv params -"), printed);
        assertEquals(1 + 2 + 1, Files.readAllLines(out.resolve("learning-curves.csv")).size() - 1, "one row per epoch");

        String again = run(List.of("compress", request.toString(), "--local", "--out", out.toString()));
        assertEquals(7, again.lines().filter(l -> l.contains("done before, reusing its outputs")).count(), again);
    }

    private static String run(List<String> args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int status = PenniCli.run(args, stream, stream);
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed);
        return printed;
    }
}
