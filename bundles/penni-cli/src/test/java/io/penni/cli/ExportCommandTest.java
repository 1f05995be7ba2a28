package io.penni.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.model.Model;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.model.Architectures;
import io.penni.model.ModelFiles;
import io.penni.onnx.ExportForm;
import io.penni.onnx.OnnxExport;

/** {@code bin/penni export} of a model file (a job's model is {@code KafkaCommandsTest}'s). */
class ExportCommandTest {

    @TempDir
    Path dir;
    private Path graph;
    private Model model;

    @BeforeEach
    void modelFile() throws Exception {
        model = SyntheticCompression.decompose(Architectures.create("vgg-small", 1), 5, 1);
        graph = dir.resolve("vgg.json");
        ModelFiles.save(model, graph);
    }

    @Test
    void aModelFileIsWrittenInTheFactoredFormByDefault() throws Exception {
        Path out = dir.resolve("vgg.onnx");

        PenniCliTest.Result r = PenniCliTest.run("export", graph.toString(), "--out", out.toString());

        assertEquals(0, r.status(), r.err());
        assertArrayEquals(OnnxExport.toBytes(model, ExportForm.FACTORED), Files.readAllBytes(out));
        assertTrue(r.out().startsWith("wrote " + out + " ("), r.out());
        assertTrue(r.out().endsWith(", factored form of vgg-small; input \"input\" [N, 1, 28, 28], output \"logits\" "
                + "[N, 10])\n"), r.out());
    }

    @Test
    void theDenseFormIsOneConvolutionPerLayer() throws Exception {
        Path out = dir.resolve("vgg-dense.onnx");

        PenniCliTest.Result r = PenniCliTest.run("export", graph.toString(), "--form", "dense", "--out",
                out.toString());

        assertEquals(0, r.status(), r.err());
        assertArrayEquals(OnnxExport.toBytes(model, ExportForm.DENSE), Files.readAllBytes(out));
    }

    @Test
    void anUnknownFormIsAUsageError() {
        PenniCliTest.Result r = PenniCliTest.run("export", graph.toString(), "--form", "sparse", "--out",
                dir.resolve("x.onnx").toString());

        assertEquals(2, r.status());
        assertEquals("penni: export: --form must be factored or dense, not 'sparse'\n", r.err());
        assertFalse(Files.exists(dir.resolve("x.onnx")));
    }

    @Test
    void withoutOutItIsAUsageError() {
        PenniCliTest.Result r = PenniCliTest.run("export", graph.toString());

        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("penni: export: --out FILE.onnx is required; usage: export MODEL.json|JOB"),
                r.err());
    }

    @Test
    void aBrokenModelFileIsOneErrorLineNamingIt() throws Exception {
        Files.writeString(graph, "{\"not\": \"a graph\"}");

        PenniCliTest.Result r = PenniCliTest.run("export", graph.toString(), "--out", dir.resolve("x.onnx")
                .toString());

        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("penni: ") && r.err().contains(graph.toString()), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
