package io.penni.inference.samediff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.junit.jupiter.api.Test;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.model.Model;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.inference.cpu.TestModels;
import io.penni.model.ModelCounter;

/**
 * The dense reference backend's logits equal the reference forward pass (relative error ≤ 1e-4, the metric of
 * {@link TestModels#relativeError}) at batch sizes 1 and 7, and what it cannot express comes back as
 * {@link LoadOutcome.Unsupported}.
 */
class SameDiffEngineTest {

    private static final double TOLERANCE = 1e-4;
    private final SameDiffEngine engine = new SameDiffEngine();

    private void assertMatches(Model model) {
        LoadOutcome outcome = engine.load(model);
        LoadedModel loaded = assertInstanceOf(LoadOutcome.Loaded.class, outcome, outcome.toString()).model();
        double[] errors = TestModels.errors(loaded, model, 7, 21);
        assertTrue(errors[0] <= TOLERANCE, "batch 7: relative error " + errors[0]);
        assertTrue(errors[1] <= TOLERANCE, "batch 1: relative error " + errors[1]);
    }

    @Test
    void denseVggSmallMatchesTheReference() {
        assertMatches(TestModels.architecture("vgg-small", 1));
    }

    @Test
    void denseResnetSmallMatchesTheReference() {
        assertMatches(TestModels.architecture("resnet-small", 2));
    }

    @Test
    void decomposedPrunedResnetSmallMatchesTheReference() {
        Model decomposed = SyntheticCompression.decompose(TestModels.architecture("resnet-small", 3), 5, 3);
        assertMatches(SyntheticCompression.prune(decomposed, 0.97, 3));
    }

    @Test
    void aLayerWithOneCoefficientLeftMatchesTheReference() {
        assertMatches(TestModels.onlyOneCoefficient(4));
    }

    @Test
    void averagePoolingWithPaddingIsUnsupportedNamingTheLayer() {
        LoadOutcome outcome = engine.load(TestModels.shrunkShaped(5));
        LoadOutcome.Unsupported unsupported = assertInstanceOf(LoadOutcome.Unsupported.class, outcome);
        assertTrue(unsupported.reason().contains("pool"), unsupported.reason());
    }

    @Test
    void workspaceIsThePeakActivationMemoryPerImageTimesTheBatch() {
        Model model = TestModels.architecture("vgg-small", 6);
        LoadedModel loaded = ((LoadOutcome.Loaded) engine.load(model)).model();
        assertEquals(32 * ModelCounter.count(model).peakActivationBytes(), loaded.workspaceBytes(32));
    }
}
