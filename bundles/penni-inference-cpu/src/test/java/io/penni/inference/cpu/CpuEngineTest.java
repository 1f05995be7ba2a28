package io.penni.inference.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.ModelCounter;

/** What the engine makes of a model besides its logits: fusion, kernel choice, memory, errors. */
class CpuEngineTest {

    private static CpuEngine engine;

    @BeforeAll
    static void start() {
        engine = new CpuEngine(new EngineOptions(2, EngineOptions.KernelSet.MEASURED, Duration.ofMillis(2),
                EngineOptions.Split.MEASURED));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static CpuModel load(Model model) {
        LoadOutcome outcome = engine.load(model);
        return (CpuModel) assertInstanceOf(LoadOutcome.Loaded.class, outcome, outcome.toString()).model();
    }

    @Test
    void batchNormAndReluAreFusedIntoTheConvolutionBeforeThem() {
        List<LayerPlan> plan = load(TestModels.architecture("vgg-small", 1)).plan();
        LayerPlan first = plan.get(0);
        assertEquals("relu1", first.layer());
        assertEquals("conv3x3+bn+relu", first.kind());
    }

    @Test
    void denseConvolutionsOnSmallMapsRunWithChannelsAcrossTheLanesByRule() {
        // image by image, maps of at most 16 positions (resnet18-cifar's last stage, 4 × 4) run the columns form,
        // larger ones (32 × 32 to 8 × 8) the staged rows; in batches the staged rows of 4 × 4 maps waste fewer
        // positions than they compute, so they stay.
        // CpuEngineCorrectnessTest and Resnet18CifarTest check the outputs
        Map<String, String> resnet = convKernels(TestModels.architecture("resnet18-cifar", 1));
        List<String> columns = resnet.entrySet().stream().filter(e -> e.getValue().startsWith("columns-"))
                .map(Map.Entry::getKey).toList();
        assertEquals(resnet.keySet().stream().filter(l -> l.startsWith("layer4.")).toList(), columns,
                resnet.toString());
        assertEquals(5, columns.size(), resnet.toString());
        assertTrue(resnet.values().stream().allMatch(k -> k.contains(" / dense-")), resnet.toString());
        Map<String, String> small = convKernels(TestModels.smallMaps(3));
        assertTrue(small.values().stream().allMatch(k -> k.startsWith("columns-")), small.toString());
        // in batches the 3 × 3 and the 2 × 2 kernel on 2 × 2 maps; the 1 × 1 there computes no thrown-away position
        assertEquals(List.of("conv3", "conv5"), small.entrySet().stream().filter(e -> e.getValue().contains(
                " / columns-")).map(Map.Entry::getKey).toList(), small.toString());
    }

    @Test
    void prunedDecomposedLayersOnSmallMapsRunCompactWhereItTakesFewerVectors() {
        // vgg16-cifar pruned to 95 %: image by image its three 8 × 8 layers (64 values against the staged rows'
        // 72) and three 4 × 4 ones (16 against 20), not the 2 × 2 ones (one vector either way); in a pass of four
        // images the 4 × 4 and 2 × 2 ones
        Model vgg = SyntheticCompression.prune(SyntheticCompression.decompose(
                TestModels.architecture("vgg16-cifar", 1), 5, 1), 0.95, 1);
        try (CpuEngine byRule = new CpuEngine(new EngineOptions(2, EngineOptions.KernelSet.MEASURED, Duration.ZERO,
                EngineOptions.Split.MEASURED, EngineOptions.Coefficients.MEASURED));
                CpuModel loaded = (CpuModel) ((LoadOutcome.Loaded) byRule.load(vgg)).model()) {
            List<String> one = loaded.plan().stream().filter(p -> p.kernel().startsWith("compact-"))
                    .map(LayerPlan::layer).toList();
            List<String> batch = loaded.plan().stream().filter(p -> p.batchKernel().startsWith("compact-"))
                    .map(LayerPlan::layer).toList();
            assertEquals(List.of("relu5", "relu6", "pool3", "relu8", "relu9", "pool4"), one, loaded.plan().toString());
            assertEquals(List.of("relu8", "relu9", "pool4", "relu11", "relu12", "pool5"), batch,
                    loaded.plan().toString());
        }
    }

    /** Each dense convolution step's kernel image by image and in batches, chosen by rule. */
    private static Map<String, String> convKernels(Model model) {
        Map<String, String> kernels = new java.util.LinkedHashMap<>();
        try (CpuEngine byRule = new CpuEngine(new EngineOptions(2, EngineOptions.KernelSet.MEASURED, Duration.ZERO,
                EngineOptions.Split.MEASURED, EngineOptions.Coefficients.MEASURED));
                CpuModel loaded = (CpuModel) ((LoadOutcome.Loaded) byRule.load(model)).model()) {
            for (LayerPlan p : loaded.plan()) {
                if (p.kind().startsWith("conv")) {
                    kernels.put(p.layer(), p.kernel() + " / " + p.batchKernel());
                }
            }
        }
        return kernels;
    }

    @Test
    void theDenseFormMakesAndReadsOnlyTheMapsSomeCoefficientReads() {
        // 60 % of each decomposed layer's maps read by no coefficient: the dense product skips them, so it does
        // fewer multiply-adds than a graph with every map (the counter's bound without weights), and agrees with
        // the reference (CpuEngineCorrectnessTest)
        Model model = TestModels.mapsPruned(0.6, 9);
        try (CpuEngine dense = new CpuEngine(new EngineOptions(2, EngineOptions.KernelSet.VECTOR, Duration.ZERO,
                EngineOptions.Split.NEVER, EngineOptions.Coefficients.DENSE))) {
            LoadOutcome outcome = dense.load(model);
            try (CpuModel loaded = (CpuModel) assertInstanceOf(LoadOutcome.Loaded.class, outcome, outcome.toString())
                    .model()) {
                List<LayerPlan> decomposed = loaded.plan().stream().filter(p -> p.kind().startsWith("decomposed"))
                        .toList();
                assertEquals(12, decomposed.size()); // every 3×3 convolution but the stem, which reads the input
                for (LayerPlan p : decomposed) {
                    assertTrue(p.kernel().startsWith("dense-") && p.batchKernel().startsWith("dense-"), p.toString());
                }
                long bound = ModelCounter.count(model.network()).macs();
                assertTrue(loaded.macs() < bound * 0.6, loaded.macs() + " MACs, with every map " + bound);
            }
        }
    }

    @Test
    void aProfileTimesEveryStepOnceAndCountsTheBatchesMultiplyAdds() {
        CpuModel model = load(TestModels.architecture("resnet-small", 1));
        for (int batch : new int[] {1, 3}) {
            List<LayerProfile> profile = model.profile(batch, 2);
            assertEquals(model.plan().stream().map(LayerPlan::layer).toList(),
                    profile.stream().map(LayerProfile::layer).toList());
            assertEquals(model.macs() * batch, profile.stream().mapToLong(LayerProfile::macs).sum());
            assertTrue(profile.stream().allMatch(p -> p.micros() > 0 && p.bytes() > 0 && p.batch() == batch),
                    profile.toString());
        }
    }

    @Test
    void aResidualAddAndItsReluAreFusedIntoTheLaterInput() {
        List<String> kinds = load(TestModels.architecture("resnet-small", 1)).plan().stream().map(LayerPlan::kind)
                .toList();
        assertTrue(kinds.contains("conv3x3+bn+add+relu"), kinds.toString());
        assertTrue(kinds.contains("conv1x1+bn+add+relu"), kinds.toString());
        assertTrue(kinds.stream().noneMatch(k -> k.startsWith("add") || k.equals("batchnorm") || k.equals("relu")),
                kinds.toString());
    }

    @Test
    void everyDecomposedLayerRecordsItsMeasuredCandidatesAndTheFastestIsChosen() {
        Model model = SyntheticCompression.prune(
                SyntheticCompression.decompose(TestModels.architecture("vgg-small", 2), 5, 2), 0.95, 2);
        for (LayerPlan step : load(model).plan()) {
            if (!step.kind().startsWith("decomposed")) {
                continue;
            }
            Map<String, Double> one = new LinkedHashMap<>(step.micros());
            one.remove("batch1-serial");
            one.remove("batch1-split");
            Map<String, Double> batch = new LinkedHashMap<>();
            one.keySet().removeIf(k -> k.startsWith("batch-") && batch.put(k.substring(6), step.micros().get(k)) == null);
            assertTrue(one.keySet().containsAll(List.of("sparse-plain", "dense-plain")), one.toString());
            assertEquals(one.keySet(), batch.keySet(), "the same candidates timed both ways");
            assertEquals(min(one), one.get(step.kernel()), step.layer() + " image by image: " + one);
            assertEquals(min(batch), batch.get(step.batchKernel()), step.layer() + " in batches: " + batch);
        }
    }

    private static double min(Map<String, Double> times) {
        return times.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    @Test
    void prunedModelsHoldFewerWeightBytesThanDenseOnes() {
        Model dense = TestModels.architecture("vgg-small", 3);
        Model pruned = SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, 3), 0.97, 3);
        // the measured choice depends on timing; held sparse, the coefficients must cost little
        try (CpuEngine sparse = new CpuEngine(new EngineOptions(2, EngineOptions.KernelSet.MEASURED,
                Duration.ofMillis(2), EngineOptions.Split.MEASURED, EngineOptions.Coefficients.SPARSE))) {
            CpuModel model = (CpuModel) ((LoadOutcome.Loaded) sparse.load(pruned)).model();
            assertTrue(model.weightBytes() < 0.5 * load(dense).weightBytes());
        }
    }

    @Test
    void theCoefficientSettingLimitsWhatDecomposedLayersMayChoose() {
        Model pruned = SyntheticCompression.prune(
                SyntheticCompression.decompose(TestModels.architecture("vgg-small", 8), 5, 8), 0.5, 8);
        for (EngineOptions.Coefficients setting : List.of(EngineOptions.Coefficients.SPARSE,
                EngineOptions.Coefficients.DENSE)) {
            try (CpuEngine limited = new CpuEngine(new EngineOptions(2, EngineOptions.KernelSet.MEASURED,
                    Duration.ofMillis(1), EngineOptions.Split.NEVER).withCoefficients(setting))) {
                CpuModel model = (CpuModel) ((LoadOutcome.Loaded) limited.load(pruned)).model();
                List<LayerPlan> decomposed = model.plan().stream().filter(p -> p.kind().startsWith("decomposed"))
                        .toList();
                assertTrue(!decomposed.isEmpty());
                for (LayerPlan step : decomposed) {
                    // sparse coefficients run as compressed rows: banded, fused with the basis maps tile by tile,
                    // or over compact maps (7 x 7 ones are candidates when timed)
                    String form = step.kernel().substring(0, step.kernel().indexOf('-'));
                    assertTrue(setting == EngineOptions.Coefficients.SPARSE
                            ? List.of("sparse", "fused", "compact").contains(form)
                            : form.equals("dense"), setting + ": " + step);
                    assertTrue(step.micros().keySet().stream().noneMatch(k -> !setting.allows(k)), step.toString());
                }
            }
        }
    }

    @Test
    void weightBytesOfADenseModelAreItsParametersAfterFolding() {
        Model dense = TestModels.architecture("vgg-small", 4);
        // batch norm folds into conv biases: 4 parameters per channel become 1
        long bnChannels = 2L * (32 + 64 + 128);
        long expected = (ModelCounter.count(dense).params() - 2 * bnChannels + bnChannels) * Float.BYTES;
        assertEquals(expected, load(dense).weightBytes());
    }

    @Test
    void onlyTheCallersInputAndOutputGrowWithTheBatch() {
        CpuModel model = load(TestModels.architecture("resnet-small", 5));
        // the buffers hold one pass of images per thread; past that, each image adds its input and its logits
        long perImage = (28 * 28 + 10) * Float.BYTES;
        assertEquals(96 * perImage, model.workspaceBytes(128) - model.workspaceBytes(32));
        assertTrue(model.workspaceBytes(2) > model.workspaceBytes(1), "a pass per thread holds more than one image");
    }

    @Test
    void anInvalidModelIsUnsupportedNamingTheParameter() {
        Model good = TestModels.architecture("vgg-small", 6);
        Map<String, Tensor> parameters = new LinkedHashMap<>(good.parameters());
        parameters.put(ParameterNames.of("conv2", ParameterNames.WEIGHT), Tensor.zeros(32, 32, 3, 5));
        LoadOutcome outcome = engine.load(new Model(good.network(), parameters));
        LoadOutcome.Unsupported unsupported = assertInstanceOf(LoadOutcome.Unsupported.class, outcome);
        assertTrue(unsupported.reason().contains("conv2.weight"), unsupported.reason());
        assertTrue(!unsupported.reason().contains("\n"), "one line: " + unsupported.reason());
    }

    @Test
    void aBatchOfTheWrongSizeIsRefusedWithTheExpectedLength() {
        CpuModel model = load(TestModels.architecture("vgg-small", 7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.run(new float[10], 1));
        assertTrue(e.getMessage().contains("784"), e.getMessage());
    }

    @Test
    void theBackendInfoNamesTheCpuBackend() {
        assertEquals("cpu", engine.info().name());
        assertEquals(2, engine.info().threads());
    }
}
