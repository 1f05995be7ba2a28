package io.penni.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
 * {@code bin/penni compress REQUEST.json --local --out DIR} as bin/penni runs it: the launcher starts the server's
 * own features in a container of its own (no Kafka), the local-run bundle takes the stage services they register
 * through the job core's runner, on real Fashion-MNIST with a tiny budget (~1,000 images, one or two epochs a
 * phase). Every stage runs, the outputs are written, the model is compressed, a run again reuses every stage, and a
 * run with changed settings runs again the stages they bear on.
 */
class LocalCompressTest {

    @TempDir
    Path dir;

    @Test
    void aRequestRunsThroughTheContainersStagesAndWritesTheReportAndTheCompressedModel() throws Exception {
        Path base = base(dir.resolve("base"));
        Path request = Files.writeString(dir.resolve("tiny.json"), """
                {"model": {"architecture": "vgg-small"},
                 "dataset": {"format": "fashion-mnist", "path": "fashion-mnist", "trainLimit": 1024, "testLimit": 512},
                 "pretrain": {"epochs": 1, "batchSize": 64, "learningRate": 0.05},
                 "penni": {"switchEvery": 1, "retrain": {"epochs": 2, "batchSize": 64},
                           "finetune": {"epochs": 1, "batchSize": 64}},
                 "evaluation": {"batchSizes": [1, 8], "warmupRuns": 2, "timedRuns": 5}}""");
        Path out = dir.resolve("out");
        String printed = compress(base, request.toString(), "--local", "--out", out.toString());

        for (String file : List.of("report.json", "report.md", "model.json", "model.safetensors", "model.onnx",
                "learning-curves.csv")) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        for (String path : List.of("/baseline/accuracy", "/compressed/accuracy", "/params/before", "/params/after",
                "/macs/before", "/macs/after")) {
            assertTrue(report.at(path).isNumber(), path + " in report.json");
        }
        // each stage's typed summary keeps the field names the report always had
        for (String path : List.of("/stages/pretrain/accuracy", "/stages/retrain/zeroCoefficients",
                "/stages/retrain/seconds", "/stages/decompose/maxRelativeError", "/stages/prune/sparsity",
                "/stages/shrink/params/after", "/learningCurves/retrain/0/learningRate", "/inference/dense_accuracy",
                "/inference/dense_latency/batch_8/median_ms", "/inference/macs_per_image/compressed")) {
            assertTrue(report.at(path).isNumber(), path + " in report.json");
        }
        assertTrue(report.at("/stages/retrain/history").isMissingNode(), "the epochs are under learningCurves");
        assertTrue(report.at("/params/after").asLong() < report.at("/params/before").asLong());
        assertTrue(report.at("/compressed/accuracy").asDouble() > 0.2, "the compressed model has learnt something");
        JsonNode layer = report.path("layers").get(0);
        for (String field : List.of("name", "kernel", "width", "basis", "coefs")) {
            assertTrue(layer.has(field), "layers[] entries have " + field + ": " + layer);
        }
        assertTrue(layer.at("/coefs/nnz/after").asLong() < layer.at("/coefs/total/before").asLong(), "pruned");
        assertEquals("std-threshold", report.at("/pruning/strategy").asText(), "the report names the strategy");
        assertEquals("io.penni.strategy-std", report.at("/pruning/bundle").asText(),
                "the strategy came from the container's bundle, not from hand wiring");
        assertEquals("1.0", report.at("/pruning/parameters/s").asText(), "and its parameters");
        Model compressed = ModelFiles.load(out.resolve("model.json"));
        assertTrue(compressed.network().layers().stream().anyMatch(l -> l instanceof Layer.DecomposedConv2d));
        assertTrue(printed.contains("conv params -"), printed);
        assertEquals(1 + 2 + 1, Files.readAllLines(out.resolve("learning-curves.csv")).size() - 1, "one row per epoch");
        figuresAreWrittenAndListed(out, report, compressed);
        // the exported model.onnx, run by ONNX Runtime on the same test images, has the accuracy the report claims
        int[] onnx = OnnxRuntimeTopOne.correct(out.resolve("model.onnx"), new ObjectMapper().readTree(request.toFile()));
        assertEquals(512, onnx[1], "the request's 512 test images");
        assertEquals(report.at("/compressed/accuracy").asDouble(), onnx[0] / (double) onnx[1], 1.5 / onnx[1],
                "top-1 of model.onnx on ONNX Runtime against the report's (at most one image apart, for a near tie)");

        String again = compress(base, request.toString(), "--local", "--out", out.toString());
        assertEquals(7, again.lines().filter(l -> l.contains("done before, reusing its outputs")).count(), again);

        // the same job (same file name) asked for other timings: only the evaluate stage runs again, and says why
        Files.writeString(request, Files.readString(request).replace("[1, 8]", "[1, 4]"));
        String changed = compress(base, request.toString(), "--local", "--out", out.toString());
        assertEquals(6, changed.lines().filter(l -> l.contains("done before, reusing its outputs")).count(), changed);
        assertTrue(changed.contains("evaluate: it completed before, but with different request settings; running it "
                + "again"), changed);
        assertTrue(new ObjectMapper().readTree(out.resolve("report.json").toFile())
                .at("/inference/dense_latency/batch_4/median_ms").isNumber(), "the report has the new timings");
    }

    /**
     * The report's pictures: per decomposed layer its coefficients and its kernels, and the learning curves, each a
     * PNG under figures/ of the size report.json records, linked from report.md.
     */
    static void figuresAreWrittenAndListed(Path out, JsonNode report, Model compressed) throws java.io.IOException {
        List<String> layers = compressed.network().layers().stream().filter(l -> l instanceof Layer.DecomposedConv2d)
                .map(Layer::name).toList();
        JsonNode figures = report.path("figures");
        assertEquals(2 * layers.size() + 1, figures.size(), "coefficients and weights per layer, and the curves: "
                + figures);
        String markdown = Files.readString(out.resolve("report.md"));
        for (JsonNode f : figures) {
            String file = f.path("file").asText();
            assertTrue(Files.isRegularFile(out.resolve(file)), "report.json lists " + file + ", which was not written");
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(out.resolve(file).toFile());
            assertEquals(f.path("width").asInt(), image.getWidth(), file);
            assertEquals(f.path("height").asInt(), image.getHeight(), file);
            assertTrue(markdown.contains("](" + file + ")"), "report.md links " + file);
            if (f.path("kind").asText().equals("curves")) {
                assertTrue(f.path("layer").isNull(), "the curves belong to no layer");
            } else {
                assertTrue(layers.contains(f.path("layer").asText()), f.toString());
            }
        }
    }

    @Test
    void anUnusableRequestIsOneLineAndExitCodeOne() throws Exception {
        Path base = base(dir.resolve("base"));
        Path request = Files.writeString(dir.resolve("bad.json"), "{\"model\": {\"architecture\": \"vgg-huge\"}, "
                + "\"dataset\": {\"format\": \"fashion-mnist\", \"path\": \"fashion-mnist\"}}");
        LauncherRun result = LauncherRun.of(base, "compress", request.toString(), "--local", "--out",
                dir.resolve("out").toString());
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("penni: compress: the request is not usable: ")
                && result.output().contains("unknown architecture 'vgg-huge'"), result.output());
        assertTrue(!result.output().contains("\tat "), "no stack trace: " + result.output());
    }

    @Test
    void parametersTheStrategyRefusesStopTheRunBeforeAnyStage() throws Exception {
        // as the server's intake does: std-threshold takes only s, and says so before any training
        Path base = base(dir.resolve("base-params"));
        Path request = Files.writeString(dir.resolve("params.json"), "{\"model\": {\"architecture\": \"vgg-small\"}, "
                + "\"dataset\": {\"format\": \"fashion-mnist\", \"path\": \"fashion-mnist\"}, "
                + "\"pruning\": {\"strategy\": \"std-threshold\", \"parameters\": {\"amount\": 0.9}}}");
        LauncherRun result = LauncherRun.of(base, "compress", request.toString(), "--local", "--out",
                dir.resolve("out-params").toString());
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("penni: compress: the request is not usable: /pruning/parameters: ")
                && result.output().contains("unknown parameter 'amount'"), result.output());
        assertTrue(!result.output().contains("pretrain: started"), "no stage ran: " + result.output());
    }

    private static String compress(Path base, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("compress"));
        all.addAll(List.of(args));
        LauncherRun result = LauncherRun.of(base, all.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.output());
        return result.output();
    }

    /** A base folder with the shipped runtime-config/. */
    private static Path base(Path base) throws IOException {
        ServerProcess.copyConfig(base);
        return base;
    }
}
