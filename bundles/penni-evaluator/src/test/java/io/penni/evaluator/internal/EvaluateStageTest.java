package io.penni.evaluator.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.inference.BackendInfo;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.job.Augmentation;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.DatasetSpec;
import io.penni.api.job.EvaluationSpec;
import io.penni.api.job.ModelSource;
import io.penni.api.job.PenniParameters;
import io.penni.api.job.PruningSpec;
import io.penni.api.job.TrainingSchedule;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.EvaluationSummary;
import io.penni.api.stage.StageProgress;
import io.penni.datasets.Batch;
import io.penni.datasets.Batches;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetLoader;
import io.penni.datasets.Normalization;
import io.penni.inference.cpu.CpuEngine;
import io.penni.inference.cpu.EngineOptions;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.inference.cpu.TestModels;
import io.penni.model.ModelFiles;
import io.penni.model.ReferenceForward;

/**
 * The evaluate stage on the real Fashion-MNIST test split (its first 60 images) with real CPU engines. The
 * dense reference backend (SameDiff) needs ND4J's natives, which this bundle's tests do not carry: a second
 * CPU engine stands in under the name {@code dense-reference}; the in-framework test runs the real one.
 */
class EvaluateStageTest {

    private static final Path DATA = Path.of(EvaluateStage.DEFAULT_DATA_ROOT);
    private static CpuEngine engine;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        engine = new CpuEngine(new EngineOptions(2, EngineOptions.KernelSet.MEASURED, Duration.ofMillis(1),
                EngineOptions.Split.MEASURED));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    /** A real engine published under a name, as the component does. */
    private static InferenceBackend backend(String name) {
        return new InferenceBackend() {
            @Override
            public BackendInfo info() {
                return new BackendInfo(name, "cpu", 2);
            }

            @Override
            public LoadOutcome load(Model model) {
                return engine.load(model);
            }
        };
    }

    private static DatasetSpec fashion() {
        return new DatasetSpec("fashion-mnist", "fashion-mnist", Augmentation.NONE, 0, 60);
    }

    private static CompressionRequest request(List<String> backends) {
        TrainingSchedule none = TrainingSchedule.paper(0);
        return new CompressionRequest("job-1", new ModelSource.BuiltIn("vgg-small", 1), fashion(), none,
                new PenniParameters(5, 1e-4, 5, none, none), new PruningSpec(Optional.empty(), Map.of()),
                new EvaluationSpec(backends, List.of(1, 4), 1, 3), 1);
    }

    private record Context(CompressionRequest request, Map<String, ArtifactRef> inputs, ArtifactStore artifacts,
            Path workDir) implements StageContext {
        @Override
        public void progress(StageProgress progress) {
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    }

    private EvaluateStage stage() {
        EvaluateStage stage = new EvaluateStage();
        stage.dataRoot(DATA);
        for (String name : List.of("cpu", "dense-reference")) {
            stage.addBackend(backend(name), Map.of(InferenceBackend.NAME, name));
        }
        return stage;
    }

    private ArtifactRef save(ArtifactStore store, Model model, String name) throws IOException {
        Path graph = dir.resolve("src").resolve(name + ".json");
        Files.createDirectories(graph.getParent());
        ModelFiles.save(model, graph);
        store.put("job-1", "models/" + name + ".safetensors", ModelFiles.weightsOf(graph));
        return store.put("job-1", "models/" + name + ".json", graph);
    }

    private Context context(List<String> backends, Model compressed, Model dense) throws IOException {
        TemporaryArtifacts store = new TemporaryArtifacts(dir.resolve("store"));
        return new Context(request(backends), Map.of("model", save(store, compressed, "model"), "baseline",
                save(store, dense, "baseline")), store, dir);
    }

    private static int referenceCorrect(Model model) {
        DataSplit data = DatasetLoader.load(fashion(), DATA);
        Batch batch = Batches.evaluation(data.test(), Normalization.of(data.train()), 60).next();
        float[] logits = ReferenceForward.forward(model, new Tensor(new int[] {60, 1, 28, 28}, batch.images())).data();
        int correct = 0;
        for (int i = 0; i < 60; i++) {
            int best = 0;
            for (int c = 1; c < 10; c++) {
                best = logits[i * 10 + c] > logits[i * 10 + best] ? c : best;
            }
            correct += best == batch.labels()[i] ? 1 : 0;
        }
        return correct;
    }

    @Test
    void accuracyOnEachBackendEqualsTheReferenceForwardPassOnTheSameImages() throws IOException {
        assumeTrue(Files.isDirectory(DATA.resolve("fashion-mnist")), "no Fashion-MNIST under " + DATA);
        Model dense = TestModels.architecture("vgg-small", 3);
        Model compressed = SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, 3), 0.9, 3);
        StageOutcome outcome = stage().run(context(List.of("cpu"), compressed, dense));
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class, outcome, outcome.toString());
        EvaluationSummary summary = assertInstanceOf(EvaluationSummary.class, done.summary());
        assertEquals(referenceCorrect(compressed) / 60.0, summary.accuracy().get("cpu"), 1e-12);
        assertEquals(referenceCorrect(dense) / 60.0, summary.denseAccuracy(), 1e-12);
    }

    @Test
    @SuppressWarnings("unchecked")
    void latencyAndMemoryAreReportedPerBackendAndBatchBesideTheDenseModel() throws IOException {
        assumeTrue(Files.isDirectory(DATA.resolve("fashion-mnist")), "no Fashion-MNIST under " + DATA);
        Model dense = TestModels.architecture("vgg-small", 4);
        Model compressed = SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, 4), 0.97, 4);
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class,
                stage().run(context(List.of("cpu"), compressed, dense)));
        EvaluationSummary summary = assertInstanceOf(EvaluationSummary.class, done.summary());
        EvaluationSummary.Latency batch4 = summary.latency().get("cpu").get("batch_4");
        assertTrue(batch4.medianMs() > 0 && batch4.p95Ms() >= batch4.medianMs(), batch4.toString());
        EvaluationSummary.Memory memory = summary.memory().get("cpu").get("batch_1");
        assertTrue(memory.ratioVsDense() < 1.0, memory.toString());
        assertTrue(summary.denseLatency().containsKey("batch_1"));
        String markdown = Files.readString(Path.of(done.outputs().get("inference-report").uri()));
        assertTrue(markdown.contains("| compressed | cpu | 4 |"), markdown);
        // how the CPU engine ran it: a kernel and a measured time for each of vgg-small's eight steps
        List<Map<String, Object>> plan = (List<Map<String, Object>>) summary.details().get("cpu").get("plan");
        assertEquals(8, plan.size(), plan.toString());
        for (Map<String, Object> step : plan) {
            assertTrue(step.get("kernel") != null && step.get("batch_kernel") != null, step.toString());
            assertTrue((double) step.get("batch_micros_per_image") > 0, step.toString());
        }
        assertTrue(markdown.contains("How `cpu` runs it") && markdown.contains("| pool3 | decomposed3x3/d5+bn+relu+maxpool"),
                markdown);
    }

    @Test
    void aBackendThatIsNotInstalledFailsTheStageNamingIt() throws IOException {
        Model dense = TestModels.architecture("vgg-small", 5);
        StageOutcome outcome = stage().run(context(List.of("cuda"), dense, dense));
        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class, outcome);
        assertTrue(failed.reason().contains("'cuda'") && failed.reason().contains("cpu"), failed.reason());
    }

    @Test
    void theDenseOriginalRunsOnOnnxRuntimeWhereItIsInstalledAndTheReportSaysSo() throws IOException {
        assumeTrue(Files.isDirectory(DATA.resolve("fashion-mnist")), "no Fashion-MNIST under " + DATA);
        Model dense = TestModels.architecture("vgg-small", 7);
        Model compressed = SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, 7), 0.9, 7);
        EvaluateStage stage = stage();
        stage.addBackend(backend("onnxruntime"), Map.of(InferenceBackend.NAME, "onnxruntime"));
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class,
                stage.run(context(List.of("cpu"), compressed, dense)));
        EvaluationSummary summary = assertInstanceOf(EvaluationSummary.class, done.summary());
        assertEquals("onnxruntime", summary.referenceBackend());
        String markdown = Files.readString(Path.of(done.outputs().get("inference-report").uri()));
        assertTrue(markdown.contains("| dense | onnxruntime |"), markdown);
    }

    @Test
    void withNoDenseReferenceBackendTheStageFailsNamingBoth() throws IOException {
        Model dense = TestModels.architecture("vgg-small", 8);
        EvaluateStage stage = new EvaluateStage();
        stage.dataRoot(DATA);
        stage.addBackend(backend("cpu"), Map.of(InferenceBackend.NAME, "cpu"));
        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class,
                stage.run(context(List.of("cpu"), dense, dense)));
        assertEquals("no dense reference backend (onnxruntime or dense-reference) is available in this container, "
                + "so the dense original cannot be measured", failed.reason());
    }

    @Test
    void aMissingBaselineInputFailsTheStageNamingIt() throws IOException {
        Model dense = TestModels.architecture("vgg-small", 6);
        Context full = context(List.of("cpu"), dense, dense);
        Context noBaseline = new Context(full.request(), Map.of("model", full.inputs().get("model")), full.artifacts(),
                dir);
        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class, stage().run(noBaseline));
        assertTrue(failed.reason().contains("'baseline'"), failed.reason());
    }
}
