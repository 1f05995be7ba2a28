package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

import io.micrometer.core.instrument.MeterRegistry;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.api.stage.CompressionStage;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.model.Architectures;
import io.penni.model.ReferenceForward;

/**
 * The inference backends as services inside the container: a decomposed, pruned ResNet through the {@code cpu}
 * and {@code onnxruntime} backends and the dense one through {@code dense-reference} give the reference forward pass's logits (relative
 * error {@code max|a − b| / max(1e-6, max|b|)} ≤ 1e-4), runs are timed in the latency meter, and the evaluate
 * stage is registered.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class InferenceInFrameworkTest {

    private static void assertMatchesReference(InferenceBackend backend, Model model) {
        LoadOutcome outcome = backend.load(model);
        try (LoadedModel loaded = assertInstanceOf(LoadOutcome.Loaded.class, outcome, outcome.toString()).model()) {
            Tensor images = Logits.gaussianImages(3, 5);
            double error = Logits.relativeError(loaded.run(images.data(), 3),
                    ReferenceForward.forward(model, images).data());
            assertTrue(error <= 1e-4, backend.info().name() + ": relative error " + error);
        }
    }

    @Test
    void theCpuBackendRunsADecomposedPrunedResnetLikeTheReference(
            @InjectService(filter = "(penni.backend=cpu)") InferenceBackend cpu) {
        Model dense = Architectures.create("resnet-small", 3);
        assertMatchesReference(cpu, SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, 3), 0.9, 3));
    }

    @Test
    void theOnnxRuntimeBackendRunsADecomposedPrunedResnetLikeTheReference(
            @InjectService(filter = "(penni.backend=onnxruntime)") InferenceBackend onnxruntime) {
        // its natives come out of its own bundle; the model goes through the penni-onnx export in memory
        Model dense = Architectures.create("resnet-small", 6);
        assertMatchesReference(onnxruntime,
                SyntheticCompression.prune(SyntheticCompression.decompose(dense, 5, 6), 0.9, 6));
    }

    @Test
    void theCpuBackendUsesTheVectorApiInsideTheFramework(
            @InjectService(filter = "(penni.backend=cpu)") InferenceBackend cpu) {
        // the launcher exports jdk.incubator.vector and the itests' JVM adds the module
        assertTrue(cpu.info().device().contains("vector-"), cpu.info().device());
    }

    @Test
    void theDenseReferenceBackendRunsTheDenseResnetLikeTheReference(
            @InjectService(filter = "(penni.backend=dense-reference)") InferenceBackend reference) {
        assertMatchesReference(reference, Architectures.create("resnet-small", 4));
    }

    @Test
    void runsThroughTheCpuBackendAreTimedInTheLatencyMeter(
            @InjectService(filter = "(penni.backend=cpu)") InferenceBackend cpu,
            @InjectService MeterRegistry registry) {
        Model model = Architectures.create("vgg-small", 5);
        try (LoadedModel loaded = ((LoadOutcome.Loaded) cpu.load(model)).model()) {
            loaded.run(Logits.gaussianImages(1, 5).data(), 1);
        }
        assertTrue(registry.get("penni.inference.latency").tags("backend", "cpu", "model", "vgg-small").timer()
                .count() >= 1);
    }

    @Test
    void theEvaluateStageIsRegistered(@InjectService(filter = "(penni.stage=evaluate)") CompressionStage evaluate) {
        assertNotNull(evaluate);
    }
}
