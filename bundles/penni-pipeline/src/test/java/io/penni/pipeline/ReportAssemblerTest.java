package io.penni.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.PruningSpec;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.stage.OtherSummary;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;
import io.penni.artifacts.testing.LocalJob;
import io.penni.model.Architectures;
import io.penni.model.ModelArtifacts;
import io.penni.onnx.ExportForm;
import io.penni.onnx.OnnxExport;

/** The report of a finished job carries the compressed model as ONNX, in factored form, beside the reports. */
class ReportAssemblerTest {

    @TempDir
    Path folder;

    /** vgg-small with every 3×3 convolution decomposed (d = 5), random weights. */
    private static Model decomposed() {
        Network dense = Architectures.network("vgg-small");
        List<Layer> layers = dense.layers().stream().map(l -> l instanceof Layer.Conv2d c && c.kernel() > 1
                ? new Layer.DecomposedConv2d(c.name(), c.input(), c.outChannels(), c.inChannels(), c.kernel(),
                        c.stride(), c.padding(), 5, c.bias())
                : l).toList();
        return Architectures.initialise(new Network(dense.name(), layers, dense.output()), 2);
    }

    @Test
    void theCompressedModelIsStoredAsOnnxBesideTheReportsAndLinkedFromThem() throws IOException {
        LocalJob job = LocalJob.in(folder, "job-onnx", 5, new PruningSpec(Optional.empty(), Map.of()));
        Model compressed = decomposed();
        JobReport report = assembled(job, compressed);

        ArtifactRef onnx = report.artifacts().get(ReportAssembler.MODEL_ONNX);
        Path file = job.artifacts().open(onnx);
        assertEquals(job.artifacts().open(report.artifacts().get(ReportAssembler.REPORT_MARKDOWN)).getParent(),
                file.getParent(), "model.onnx lies beside report.md, so the report's relative link works");
        assertEquals("model.onnx", file.getFileName().toString());
        assertArrayEquals(OnnxExport.toBytes(compressed, ExportForm.FACTORED), Files.readAllBytes(file));
        String markdown = Files.readString(job.artifacts().open(report.artifacts().get(ReportAssembler.REPORT_MARKDOWN)));
        assertTrue(markdown.contains("[model.onnx](model.onnx) (factored form"), markdown);
        assertEquals("model.onnx", new ObjectMapper().readTree(job.artifacts().open(
                report.artifacts().get(ReportAssembler.REPORT_JSON)).toFile()).path("onnx").asText());
    }

    @Test
    void everyDecomposedLayerGetsItsPicturesListedInTheJsonAndLinkedFromTheMarkdown() throws IOException {
        LocalJob job = LocalJob.in(folder, "job-figures", 5, new PruningSpec(Optional.empty(), Map.of()));
        Model compressed = decomposed();
        JobReport report = assembled(job, compressed);

        Path reportFolder = job.artifacts().open(report.artifacts().get(ReportAssembler.REPORT_JSON)).getParent();
        var figures = new ObjectMapper().readTree(reportFolder.resolve("report.json").toFile()).path("figures");
        List<String> decomposedLayers = compressed.network().layers().stream()
                .filter(l -> l instanceof Layer.DecomposedConv2d).map(Layer::name).toList();
        assertEquals(2 * decomposedLayers.size(), figures.size(), "no training history here: no curves, "
                + "two pictures per decomposed layer: " + figures);
        String markdown = Files.readString(reportFolder.resolve("report.md"));
        for (var f : figures) {
            String file = f.path("file").asText();
            assertTrue(file.matches("figures/(coefficients|weights)-[A-Za-z0-9._-]+\\.png"), file);
            assertEquals(file, "figures/" + f.path("kind").asText() + "-" + f.path("layer").asText() + ".png");
            assertTrue(decomposedLayers.contains(f.path("layer").asText()));
            var image = javax.imageio.ImageIO.read(reportFolder.resolve(file).toFile());
            assertEquals(f.path("width").asInt(), image.getWidth());
            assertEquals(f.path("height").asInt(), image.getHeight());
            assertTrue(report.artifacts().containsKey(file), "stored as an artifact named by its path: " + file);
            assertTrue(markdown.contains("](" + file + ")"), "report.md links " + file);
        }
    }

    /** Records pretrain (vgg-small, its own baseline), finetune and shrink (both the given model), then reports. */
    private JobReport assembled(LocalJob job, Model compressed) throws IOException {
        Map<String, ArtifactRef> pretrain = new HashMap<>(save(job, StageNames.PRETRAIN,
                Architectures.create("vgg-small", 1)));
        pretrain.put("baseline", pretrain.get(ModelArtifacts.MODEL));
        record(job, StageNames.PRETRAIN, pretrain);
        record(job, StageNames.FINETUNE, save(job, StageNames.FINETUNE, compressed));
        record(job, StageNames.SHRINK, save(job, StageNames.SHRINK, compressed));
        return ReportAssembler.assemble(job.artifacts(), job.request(),
                List.of(StageNames.PRETRAIN, StageNames.FINETUNE, StageNames.SHRINK));
    }

    private Map<String, ArtifactRef> save(LocalJob job, String stage, Model model) throws IOException {
        return ModelArtifacts.save(job.artifacts(), job.request().jobId(), stage, model, job.workDir());
    }

    private static void record(LocalJob job, String stage, Map<String, ArtifactRef> outputs) throws IOException {
        StageRecords.save(job.artifacts(), job.request().jobId(), stage,
                new StageOutcome.Completed(outputs, OtherSummary.EMPTY),
                StageFingerprint.of(job.request(), stage, Map.of(), Optional.empty()));
    }
}
