package io.penni.inference.cpu;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.model.Model;

/**
 * The CPU engine's logits equal the reference forward pass (relative error ≤ 1e-4, see
 * {@link TestModels#relativeError}) on every kind of model, with each kernel set, split and unsplit, at batch
 * sizes 1 and 19.
 */
class CpuEngineCorrectnessTest {

    private static final double TOLERANCE = 1e-4;
    /** Uneven over two threads, and more than one pass of images for each. */
    private static final int BATCH = 19;

    /**
     * The ways to run: each kernel set; plain and vector also with every batch-1 layer split over two threads; the
     * choices by rule on two threads and on one; the vector kernels with dense coefficients (the rule picks sparse
     * for every pruned layer: fused tiles above a tenth of the coefficients, banded below), with sparse ones in
     * every decomposed layer (the unpruned ones too, fused), and with sparse ones always banded (vector and plain).
     */
    enum Variant {
        PLAIN(2, EngineOptions.KernelSet.PLAIN, EngineOptions.Split.NEVER, EngineOptions.Coefficients.MEASURED),
        PLAIN_SPLIT(2, EngineOptions.KernelSet.PLAIN, EngineOptions.Split.ALWAYS, EngineOptions.Coefficients.MEASURED),
        VECTOR_SPLIT(2, EngineOptions.KernelSet.VECTOR, EngineOptions.Split.ALWAYS,
                EngineOptions.Coefficients.MEASURED),
        MEASURED(2, EngineOptions.KernelSet.MEASURED, EngineOptions.Split.MEASURED,
                EngineOptions.Coefficients.MEASURED),
        ONE_THREAD(1, EngineOptions.KernelSet.MEASURED, EngineOptions.Split.MEASURED,
                EngineOptions.Coefficients.MEASURED),
        DENSE_COEFFICIENTS(2, EngineOptions.KernelSet.VECTOR, EngineOptions.Split.NEVER,
                EngineOptions.Coefficients.DENSE),
        SPARSE_COEFFICIENTS_SPLIT(2, EngineOptions.KernelSet.VECTOR, EngineOptions.Split.ALWAYS,
                EngineOptions.Coefficients.SPARSE),
        BANDED(2, EngineOptions.KernelSet.VECTOR, EngineOptions.Split.NEVER, EngineOptions.Coefficients.BANDED),
        PLAIN_BANDED(1, EngineOptions.KernelSet.PLAIN, EngineOptions.Split.NEVER, EngineOptions.Coefficients.BANDED);

        final int threads;
        final EngineOptions.KernelSet kernels;
        final EngineOptions.Split split;
        final EngineOptions.Coefficients coefficients;

        Variant(int threads, EngineOptions.KernelSet kernels, EngineOptions.Split split,
                EngineOptions.Coefficients coefficients) {
            this.threads = threads;
            this.kernels = kernels;
            this.split = split;
            this.coefficients = coefficients;
        }
    }

    private static final Map<Variant, CpuEngine> BY_VARIANT = new HashMap<>();

    @BeforeAll
    static void start() {
        for (Variant v : Variant.values()) {
            BY_VARIANT.put(v, new CpuEngine(new EngineOptions(v.threads, v.kernels, Duration.ZERO, v.split,
                    v.coefficients)));
        }
    }

    @AfterAll
    static void stop() {
        BY_VARIANT.values().forEach(CpuEngine::close);
    }

    private static void assertMatches(Model model, Variant variant) {
        LoadOutcome outcome = BY_VARIANT.get(variant).load(model);
        try (CpuModel loaded = (CpuModel) assertInstanceOf(LoadOutcome.Loaded.class, outcome, outcome.toString())
                .model()) {
            double[] errors = TestModels.errors(loaded, model, BATCH, 11);
            assertTrue(errors[0] <= TOLERANCE, model.network().name() + " batch " + BATCH + ": relative error "
                    + errors[0]);
            assertTrue(errors[1] <= TOLERANCE, model.network().name() + " batch 1: relative error " + errors[1]);
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void boundedRelusUnfusedBetweenConvolutionsMatchTheReference(Variant variant) {
        assertMatches(TestModels.bounded(TestModels.architecture("resnet-small", 5), 0.5), variant);
        assertMatches(TestModels.bounded(SyntheticCompression.prune(SyntheticCompression.decompose(
                TestModels.architecture("vgg-small", 5), 5, 5), 0.9, 5), 0.5), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void denseVggSmallMatchesTheReference(Variant variant) {
        assertMatches(TestModels.architecture("vgg-small", 1), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void denseResnetSmallWithDownsamplingShortcutsMatchesTheReference(Variant variant) {
        assertMatches(TestModels.architecture("resnet-small", 2), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void decomposedVggSmallMatchesTheReference(Variant variant) {
        assertMatches(SyntheticCompression.decompose(TestModels.architecture("vgg-small", 3), 5, 3), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void decomposedResnetSmallPrunedTo90PercentMatchesTheReference(Variant variant) {
        Model decomposed = SyntheticCompression.decompose(TestModels.architecture("resnet-small", 4), 5, 4);
        assertMatches(SyntheticCompression.prune(decomposed, 0.9, 4), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void decomposedModelsPrunedTo65PercentLikeTheDemosMatchTheReference(Variant variant) {
        // a third of the coefficients left: the rule fuses the sparse product with the basis maps tile by tile
        assertMatches(SyntheticCompression.prune(SyntheticCompression.decompose(
                TestModels.architecture("vgg-small", 7), 5, 7), 0.65, 7), variant);
        assertMatches(SyntheticCompression.prune(SyntheticCompression.decompose(
                TestModels.architecture("resnet-small", 7), 3, 7), 0.65, 7), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void decomposedVggSmallPrunedTo99PercentMatchesTheReference(Variant variant) {
        Model decomposed = SyntheticCompression.decompose(TestModels.architecture("vgg-small", 5), 5, 5);
        assertMatches(SyntheticCompression.prune(decomposed, 0.99, 5), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void shrunkShapedModelWithAOneChannelLayerMatchesTheReference(Variant variant) {
        assertMatches(TestModels.shrunkShaped(6), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void largeKernelsAndStridesMatchTheReference(Variant variant) {
        assertMatches(TestModels.strided(17), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void poolingFusedIntoTheConvolutionBeforeItMatchesTheReference(Variant variant) {
        assertMatches(TestModels.fusedPooling(13), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void windowsPaddedDifferentlyPerSideMatchTheReference(Variant variant) {
        assertMatches(TestModels.asymmetric(19), variant);
        assertMatches(SyntheticCompression.prune(SyntheticCompression.decompose(TestModels.asymmetric(19), 2, 19), 0.5,
                19), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void smallMapsRunWithChannelsAcrossTheLanesAndMatchTheReference(Variant variant) {
        Model model = TestModels.smallMaps(23);
        assertMatches(model, variant);
        try (CpuModel loaded = (CpuModel) ((LoadOutcome.Loaded) BY_VARIANT.get(variant).load(model)).model()) {
            // image by image every dense convolution (4 × 4 and 2 × 2 maps), in batches the two k > 1 on 2 × 2 maps
            for (LayerPlan p : loaded.plan()) {
                if (p.kind().startsWith("conv")) {
                    assertTrue(p.kernel().startsWith("columns-"), p.toString());
                }
            }
            assertTrue(loaded.plan().stream().filter(p -> p.batchKernel().startsWith("columns-")).count() == 2,
                    loaded.plan().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void prunedDecomposedLayersOnSmallMapsRunCompactAndMatchTheReference(Variant variant) {
        Model model = TestModels.compactMaps(29);
        assertMatches(model, variant);
        try (CpuModel loaded = (CpuModel) ((LoadOutcome.Loaded) BY_VARIANT.get(variant).load(model)).model()) {
            // the compact form where it takes fewer vectors than the staged rows, unless the variant rules it out
            // (dense or banded coefficients): image by image the 8 × 8 layer (64 values against 72) and the three
            // 4 × 4 ones (16 against 20), in a pass of four images the five on maps of at most 16 positions
            boolean allowed = variant.coefficients.allows("compact-vector-512");
            long one = loaded.plan().stream().filter(p -> p.kernel().startsWith("compact-")).count();
            long batch = loaded.plan().stream().filter(p -> p.batchKernel().startsWith("compact-")).count();
            assertTrue(one == (allowed ? 4 : 0) && batch == (allowed ? 5 : 0), loaded.plan().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void layersWithWholeMapsPrunedMatchTheReference(Variant variant) {
        // the dense product runs over the used maps only: 60 % of each layer's maps read by no coefficient
        assertMatches(TestModels.mapsPruned(0.6, 9), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void aLayerWithOneCoefficientLeftMatchesTheReference(Variant variant) {
        assertMatches(TestModels.onlyOneCoefficient(7), variant);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void aLayerWithNoCoefficientsLeftMatchesTheReference(Variant variant) {
        assertMatches(TestModels.noCoefficients(8), variant);
    }

    /**
     * Each layer split over two threads gives, run after run, what it gives unsplit (up to the rounding of parts
     * summed in another order, 1e-6): no thread writes what another reads or writes in the same step. Run many
     * times, since a race shows only when the threads' writes cross in time (a vector-wide row written past a
     * channel's maps into the next one, another thread's, made this test fail within 20 runs, errors about 1e-2, and
     * the tests above in about one run of the class in three).
     */
    @Test
    void splitLayersGiveExactlyTheUnsplitOutputsRunAfterRun() {
        Model[] models = {TestModels.compactMaps(31), SyntheticCompression.prune(SyntheticCompression.decompose(
                TestModels.architecture("vgg-small", 31), 5, 31), 0.97, 31), SyntheticCompression.prune(
                        SyntheticCompression.decompose(TestModels.architecture("resnet-small", 31), 5, 31), 0.97, 31)};
        try (CpuEngine split = new CpuEngine(new EngineOptions(2, EngineOptions.KernelSet.MEASURED, Duration.ZERO,
                EngineOptions.Split.ALWAYS, EngineOptions.Coefficients.MEASURED));
                CpuEngine serial = new CpuEngine(new EngineOptions(2, EngineOptions.KernelSet.MEASURED, Duration.ZERO,
                        EngineOptions.Split.NEVER, EngineOptions.Coefficients.MEASURED))) {
            for (Model model : models) {
                try (CpuModel a = (CpuModel) ((LoadOutcome.Loaded) split.load(model)).model();
                        CpuModel b = (CpuModel) ((LoadOutcome.Loaded) serial.load(model)).model()) {
                    assertTrue(a.plan().stream().anyMatch(LayerPlan::splitAtBatchOne), a.plan().toString());
                    float[] x = new float[Math.toIntExact(a.inputShape().size())];
                    java.util.SplittableRandom random = new java.util.SplittableRandom(31);
                    for (int run = 0; run < 400; run++) {
                        for (int i = 0; i < x.length; i++) {
                            x[i] = (float) random.nextGaussian();
                        }
                        double error = TestModels.relativeError(a.run(x, 1), b.run(x, 1));
                        assertTrue(error <= 1e-6, model.network().name() + " run " + run + ": relative error " + error);
                    }
                }
            }
        }
    }
}
