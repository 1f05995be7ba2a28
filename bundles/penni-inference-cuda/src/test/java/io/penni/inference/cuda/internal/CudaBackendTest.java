package io.penni.inference.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.model.Model;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.inference.cpu.TestModels;

/**
 * The cuda backend against the reference forward pass (relative error ≤ 1e-4, {@link TestModels#relativeError})
 * at batch sizes 1 and 7. Every test that needs a GPU is skipped, with the reason, where there is none.
 */
class CudaBackendTest {

    private static final double TOLERANCE = 1e-4;

    private static void assumeGpu() {
        Optional<String> problem = CudaDriver.unavailable();
        assumeTrue(problem.isEmpty(), () -> "skipped: " + problem.orElse(""));
    }

    private static void assertMatches(Model model) {
        assumeGpu();
        LoadOutcome outcome = new CudaInferenceBackend(CudaDriver.deviceName()).load(model);
        try (LoadedModel loaded = assertInstanceOf(LoadOutcome.Loaded.class, outcome, outcome.toString()).model()) {
            double[] errors = TestModels.errors(loaded, model, 7, 31);
            assertTrue(errors[0] <= TOLERANCE, "batch 7: relative error " + errors[0]);
            assertTrue(errors[1] <= TOLERANCE, "batch 1: relative error " + errors[1]);
        }
    }

    @Test
    void withoutAGpuTheReasonIsOneLine() {
        Optional<String> problem = CudaDriver.unavailable();
        assumeTrue(problem.isPresent(), "a GPU is present");
        assertFalse(problem.get().isBlank());
        assertFalse(problem.get().contains("\n"), problem.get());
    }

    /** Its kernels pad every side alike: a model padded per side is refused by layer name, before the GPU is used. */
    @Test
    void windowsPaddedPerSideAreRefusedNamingTheLayer() {
        LoadOutcome outcome = CudaCompiler.load(TestModels.asymmetric(1));

        LoadOutcome.Unsupported refused = assertInstanceOf(LoadOutcome.Unsupported.class, outcome, outcome.toString());
        assertEquals("layer conv1: pads [0, 0, 1, 1] differ per side and the CUDA kernels pad every side alike; the"
                + " cpu and onnxruntime backends run it", refused.reason());
    }

    @Test
    void decomposedPrunedVggSmallMatchesTheReference() {
        Model dense = TestModels.architecture("vgg-small", 1);
        assertMatches(SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, 1), 0.9, 1));
    }

    @Test
    void decomposedPrunedResnetSmallWithDownsamplingShortcutsMatchesTheReference() {
        Model dense = TestModels.architecture("resnet-small", 2);
        assertMatches(SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, 2), 0.97, 2));
    }

    @Test
    void shrunkShapedModelWithAOneChannelLayerMatchesTheReference() {
        assertMatches(TestModels.shrunkShaped(3));
    }

    @Test
    void aLayerWithOneCoefficientLeftMatchesTheReference() {
        assertMatches(TestModels.onlyOneCoefficient(4));
    }

    @Test
    void denseResnetSmallMatchesTheReference() {
        assertMatches(TestModels.architecture("resnet-small", 5));
    }
}
