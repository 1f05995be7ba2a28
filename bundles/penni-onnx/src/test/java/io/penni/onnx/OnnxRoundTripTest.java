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
                "decomposed", "pruned", "pruned-fc").flatMap(variant -> Stream.of(ExportForm.values())
                        .map(form -> Arguments.of(name, variant, form))));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("models")
    void anExportedModelImportsBackWithItsLayersAndOutputs(String name, String variant, ExportForm form) {
        Model model = TestModels.architecture(name, 3);
        if (!variant.equals("dense")) {
            model = SyntheticCompression.decompose(model, 5, 3);
        }
        if (variant.startsWith("pruned")) {
            model = SyntheticCompression.prune(model, 0.9, 3);
        }
        if (variant.equals("pruned-fc")) {
            model = withPrunedLinearLayers(model);
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

    /** The model with the smaller-magnitude half of every fully connected layer's weights but the output's at 0. */
    private static Model withPrunedLinearLayers(Model model) {
        java.util.Map<String, Tensor> parameters = new java.util.HashMap<>(model.parameters());
        for (Layer layer : model.network().layers()) {
            if (layer instanceof Layer.Linear linear && !linear.name().equals(model.network().output())) {
                Tensor weight = parameters.get(linear.name() + ".weight");
                float[] magnitudes = weight.data().clone();
                for (int i = 0; i < magnitudes.length; i++) {
                    magnitudes[i] = Math.abs(magnitudes[i]);
                }
                java.util.Arrays.sort(magnitudes);
                float median = magnitudes[magnitudes.length / 2];
                float[] data = weight.data().clone();
                for (int i = 0; i < data.length; i++) {
                    data[i] = Math.abs(data[i]) < median ? 0f : data[i];
                }
                parameters.put(linear.name() + ".weight", new Tensor(weight.shape(), data));
            }
        }
        return new Model(model.network(), parameters);
    }
}
