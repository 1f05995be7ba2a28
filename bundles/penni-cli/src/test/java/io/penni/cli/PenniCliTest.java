package io.penni.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.model.Architectures;
import io.penni.model.ModelCounter;
import io.penni.model.ModelFiles;

class PenniCliTest {

    @TempDir
    Path dir;

    /** What a command line printed and returned. */
    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = PenniCli.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void modelSummaryOfAnArchitecturePrintsTheTableAndTotals() {
        Result result = run("model", "summary", "resnet18-cifar");
        assertEquals(0, result.status(), result.err());
        assertTrue(result.out().startsWith("network resnet18-cifar, input 3x32x32"), result.out());
        assertTrue(result.out().contains("| layer1.0.conv1 "), result.out());
        assertTrue(result.out().contains(String.format("%,d", ModelCounter.count(
                Architectures.network("resnet18-cifar")).params())), result.out());
        assertEquals("", result.err());
    }

    @Test
    void modelSummaryWithJsonPrintsTheCountsAsJson() throws Exception {
        Result result = run("model", "summary", "vgg-small", "--json");
        assertEquals(0, result.status(), result.err());
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertEquals(ModelCounter.count(Architectures.network("vgg-small")).macs(),
                json.get("totals").get("macs").longValue());
    }

    @Test
    void modelSummaryOfAModelFileCountsIt() {
        Path graph = dir.resolve("m.json");
        ModelFiles.save(Architectures.create("resnet-small", 1), graph);
        Result result = run("model", "summary", graph.toString());
        assertEquals(0, result.status(), result.err());
        assertTrue(result.out().startsWith("network resnet-small, input 1x28x28"), result.out());
    }

    @Test
    void unknownArchitectureIsOneErrorLineListingTheKnownOnes() {
        Result result = run("model", "summary", "vgg19");
        assertEquals(1, result.status());
        assertEquals("penni: unknown architecture 'vgg19'; the built-in ones are vgg-small, resnet-small, "
                + "vgg16-cifar, resnet18-cifar, resnet56-cifar, alexnet, resnet50\n", result.err());
        assertEquals("", result.out());
    }

    @Test
    void missingModelFileIsOneErrorLine() {
        Path graph = dir.resolve("none.json");
        Result result = run("model", "summary", graph.toString());
        assertEquals(1, result.status());
        assertEquals("penni: " + graph + ": no such file\n", result.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Result result = run("model", "summary", "vgg-small", "--yaml");
        assertEquals(2, result.status());
        assertEquals("penni: model summary: unknown option --yaml; usage: model summary ARCH|MODEL.json|MODEL.onnx [--json]\n",
                result.err());
    }

    @Test
    void missingArgumentIsAUsageError() {
        Result result = run("model", "summary");
        assertEquals(2, result.status());
        assertTrue(result.err().startsWith("penni: model summary: give one architecture or model file"),
                result.err());
    }

    @Test
    void incompleteCommandSuggestsTheFullOne() {
        Result result = run("model");
        assertEquals(2, result.status());
        assertEquals("penni: 'model' is not a command; did you mean model summary? (bin/penni help lists them)\n",
                result.err());
    }

    @Test
    void unknownCommandIsAUsageError() {
        Result result = run("frobnicate");
        assertEquals(2, result.status());
        assertEquals("penni: unknown command 'frobnicate'; bin/penni help lists the commands\n", result.err());
    }

    @Test
    void helpListsEveryCommand() {
        Result result = run("help");
        assertEquals(0, result.status());
        for (String synopsis : List.of("model summary ARCH|MODEL.json|MODEL.onnx [--json]", "import FILE.onnx --out DIR",
                "submit FILE|- [--follow]",
                "follow JOB [--timeout 30m]", "status [JOB]", "report JOB [--json]", "fetch JOB DIR")) {
            assertTrue(result.out().contains("  " + synopsis), result.out());
        }
    }

    @Test
    void aKafkaCommandWithoutItsJobIdIsAUsageErrorBeforeAnyConnection() {
        Result result = run("follow");
        assertEquals(2, result.status());
        assertEquals("penni: follow: give one job id; usage: follow JOB [--timeout 30m] [--bootstrap HOST:PORT]\n",
                result.err());
    }
}
