package io.penni.inference.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.model.ActivationShape;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.inference.cpu.TestModels;
import io.penni.onnx.ExportForm;

/**
 * The ONNX Runtime backend gives the reference forward pass's logits (relative error ≤ 1e-4,
 * {@link TestModels#relativeError}) at batch 3 and 1, in either export form, on dense, decomposed-and-pruned and
 * shrunk-shaped models; it says what it is and refuses a model it cannot export with the exporter's words.
 */
class OrtEngineTest {

    private static final double TOLERANCE = 1e-4;

    private static void assertMatchesTheReference(OrtEngine engine, Model model) {
        LoadOutcome outcome = engine.load(model);
        try (LoadedModel loaded = assertInstanceOf(LoadOutcome.Loaded.class, outcome, outcome.toString()).model()) {
            double[] errors = TestModels.errors(loaded, model, 3, 17);
            assertTrue(errors[0] <= TOLERANCE, model.network().name() + " batch 3: relative error " + errors[0]);
            assertTrue(errors[1] <= TOLERANCE, model.network().name() + " batch 1: relative error " + errors[1]);
        }
    }

    @ParameterizedTest
    @EnumSource(ExportForm.class)
    void denseCompressedAndShrunkModelsRunAsTheReference(ExportForm form) {
        OrtEngine engine = new OrtEngine(new OrtOptions(2, form));
        assertMatchesTheReference(engine, TestModels.architecture("vgg-small", 1));
        assertMatchesTheReference(engine, SyntheticCompression.prune(
                SyntheticCompression.decompose(TestModels.architecture("resnet-small", 2), 5, 2), 0.9, 2));
        assertMatchesTheReference(engine, TestModels.shrunkShaped(3));
    }

    @Test
    void aLoadedModelKnowsItsShapesAndRefusesTooFewValues() {
        LoadOutcome outcome = new OrtEngine(OrtOptions.DEFAULT).load(TestModels.architecture("vgg-small", 4));
        try (LoadedModel loaded = assertInstanceOf(LoadOutcome.Loaded.class, outcome).model()) {
            assertEquals(new ActivationShape(1, 28, 28), loaded.inputShape());
            assertEquals(10, loaded.outputSize());
            assertTrue(loaded.weightBytes() > 4L * 400_000, "weights " + loaded.weightBytes());
            assertEquals("dense", loaded.details().get("form"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loaded.run(new float[28 * 28], 2));
            assertTrue(e.getMessage().contains("needs 1568 values, got 784"), e.getMessage());
        }
    }

    @Test
    void itSaysWhatItIs() {
        var info = new OrtEngine(new OrtOptions(1, ExportForm.FACTORED)).info();

        assertEquals(OrtEngine.BACKEND, info.name());
        assertEquals(1, info.threads());
        assertTrue(info.device().startsWith("ONNX Runtime 1.20.0 CPU, factored form"), info.device());
    }

    @Test
    void aModelTheExporterRefusesIsUnsupportedWithItsReason() {
        Model model = TestModels.architecture("vgg-small", 5);
        Map<String, Tensor> parameters = new HashMap<>(model.parameters());
        parameters.remove("conv2.weight");

        LoadOutcome outcome = new OrtEngine(OrtOptions.DEFAULT).load(new Model(model.network(), parameters));

        String reason = assertInstanceOf(LoadOutcome.Unsupported.class, outcome).reason();
        assertTrue(reason.startsWith("parameter conv2.weight: missing"), reason);
    }

    @Test
    void fewerThanOneThreadIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new OrtOptions(0, ExportForm.DENSE));
    }
}
