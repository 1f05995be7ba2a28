package io.penni.inference.cpu;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.model.Model;

/**
 * ResNet-18 for CIFAR-10 shapes (3×32×32, four stages, 1×1 downsampling shortcuts) through the CPU engine
 * against the reference forward pass, relative error ≤ 1e-4 ({@link TestModels#relativeError}). Two images
 * only, at batch 2 and 1: the plain-Java reference needs about a second per image of this network.
 */
class Resnet18CifarTest {

    private static CpuEngine engine;

    @BeforeAll
    static void start() {
        engine = new CpuEngine(new EngineOptions(2, EngineOptions.KernelSet.MEASURED, Duration.ZERO,
                EngineOptions.Split.ALWAYS));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static void assertMatches(Model model) {
        LoadOutcome outcome = engine.load(model);
        try (LoadedModel loaded = assertInstanceOf(LoadOutcome.Loaded.class, outcome, outcome.toString()).model()) {
            double[] errors = TestModels.errors(loaded, model, 2, 41);
            assertTrue(errors[0] <= 1e-4, "batch 2: relative error " + errors[0]);
            assertTrue(errors[1] <= 1e-4, "batch 1: relative error " + errors[1]);
        }
    }

    @Test
    void denseResnet18CifarMatchesTheReference() {
        assertMatches(TestModels.architecture("resnet18-cifar", 1));
    }

    @Test
    void decomposedResnet18CifarPrunedTo95PercentMatchesTheReference() {
        Model decomposed = SyntheticCompression.decompose(TestModels.architecture("resnet18-cifar", 2), 5, 2);
        assertMatches(SyntheticCompression.prune(decomposed, 0.95, 2));
    }
}
