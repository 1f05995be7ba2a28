package io.penni.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.inference.cpu.SyntheticCompression;
import io.penni.inference.cpu.TestModels;
import io.penni.model.ReferenceForward;

/**
 * {@code import(export(m))} computes what {@code m} computes and keeps its layers and their names: built-in
 * architectures with seeded weights and non-trivial batch norms, dense, decomposed and pruned, in both export forms.
 * The export folds batch norms into the convolutions before them and writes dropout as an Identity, so those are
 * the only layers the import does not give back as they were.
 */
class OnnxRoundTripTest {

    private static final double TOLERANCE = 1e-4;

    static Stream<Arguments> models() {
        return Stream.of("vgg-small", "resnet-small", "resnet56-cifar").flatMap(name -> Stream.of("dense",
                "decomposed", "pruned").flatMap(variant -> Stream.of(ExportForm.values())
                        .map(form -> Arguments.of(name, variant, form))));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("models")
    void anExportedModelImportsBackWithItsLayersAndOutputs(String name, String variant, ExportForm form) {
        Model model = TestModels.architecture(name, 3);
        if (!variant.equals("dense")) {
            model = SyntheticCompression.decompose(model, 5, 3);
        }
        if (variant.equals("pruned")) {
            model = SyntheticCompression.prune(model, 0.9, 3);
        }

        Model imported = OnnxImport.read(OnnxExport.toBytes(model, form), name + ".onnx", name);

        Tensor images = TestModels.images(model, 2, 5);
        double error = TestModels.relativeError(ReferenceForward.forward(imported, images).data(),
                TestModels.reference(model, images));
        assertTrue(error <= TOLERANCE, name + " " + variant + " " + form + ": relative error " + error);
        List<String> kept = model.network().layers().stream().skip(1)
                .filter(l -> !(l instanceof Layer.BatchNorm || l instanceof Layer.Dropout)).map(Layer::name).toList();
        List<String> back = imported.network().layers().stream().skip(1).map(Layer::name)
                .filter(n -> !n.endsWith(".basis")).toList();
        assertEquals(kept, back, "the layers come back under their names, in order");
    }
}
