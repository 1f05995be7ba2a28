package io.penni.decomposer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.Architectures;
import io.penni.model.ReferenceForward;

class BasisDecomposerTest {

    private static final Model VGG = Architectures.create("vgg-small", 11);

    @Test
    void errorIsTheNormOfTheDiscardedSingularValues() {
        Decomposition decomposition = BasisDecomposer.decompose(VGG, DecompositionSettings.of(5));
        assertEquals(6, decomposition.layers().size());
        for (LayerDecomposition layer : decomposition.layers()) {
            float[] weight = VGG.parameters().get(ParameterNames.of(layer.layer(), ParameterNames.WEIGHT)).data();
            // a second method that never forms the Gram matrix: one-sided Jacobi on the kernel matrix itself
            double[] sigma = singularValuesByOneSidedJacobi(weight, 9);
            double norm = 0;
            for (float w : weight) {
                norm += (double) w * w;
            }
            double discarded = 0;
            for (int i = 5; i < 9; i++) {
                discarded += sigma[i] * sigma[i];
                assertEquals(sigma[i], layer.singularValues().get(i), 1e-9 * sigma[0], layer.layer() + " σ" + i);
            }
            assertEquals(Math.sqrt(discarded / norm), layer.relativeError(), 1e-6, layer.layer());
        }
    }

    @Test
    void singularValuesCarryTheWholeFrobeniusNorm() {
        for (LayerDecomposition layer : BasisDecomposer.decompose(VGG, DecompositionSettings.of(5)).layers()) {
            double norm = 0;
            for (float w : VGG.parameters().get(ParameterNames.of(layer.layer(), ParameterNames.WEIGHT)).data()) {
                norm += (double) w * w;
            }
            double sum = layer.singularValues().stream().mapToDouble(s -> s * s).sum();
            assertEquals(norm, sum, 1e-9 * norm, layer.layer());
        }
    }

    @Test
    void asManyBasesAsKernelValuesReproduceTheDenseOutputs() {
        Decomposition decomposition = BasisDecomposer.decompose(VGG, DecompositionSettings.of(9));
        assertTrue(decomposition.layers().stream().allMatch(LayerDecomposition::exact));
        Tensor images = randomImages(4, 1, 28, 28, 5);
        float[] dense = ReferenceForward.forward(VGG, images).data();
        float[] decomposed = ReferenceForward.forward(decomposition.model(), images).data();
        assertTrue(maxAbsDiff(dense, decomposed) <= 1e-5, "max abs diff " + maxAbsDiff(dense, decomposed));
    }

    @Test
    void basisKernelsAreOrthonormal() {
        Model decomposed = BasisDecomposer.decompose(VGG, DecompositionSettings.of(5)).model();
        float[] basis = decomposed.parameters().get("conv4.basis").data();
        for (int a = 0; a < 5; a++) {
            for (int b = 0; b < 5; b++) {
                double dot = 0;
                for (int i = 0; i < 9; i++) {
                    dot += (double) basis[a * 9 + i] * basis[b * 9 + i];
                }
                assertEquals(a == b ? 1 : 0, dot, 1e-6, "basis " + a + " · basis " + b);
            }
        }
    }

    @Test
    void anAllZeroLayerGivesZeroCoefficientsAndNoNaN() {
        Map<String, Tensor> parameters = new HashMap<>(VGG.parameters());
        parameters.put("conv3.weight", Tensor.zeros(64, 32, 3, 3));
        Decomposition decomposition = BasisDecomposer.decompose(new Model(VGG.network(), parameters),
                DecompositionSettings.of(5));
        LayerDecomposition conv3 = decomposition.layers().get(2);
        assertEquals("conv3", conv3.layer());
        assertEquals(0.0, conv3.relativeError());
        assertTrue(conv3.singularValues().stream().allMatch(s -> s == 0.0), conv3.singularValues().toString());
        for (float c : decomposition.model().parameters().get("conv3.coefficients").data()) {
            assertEquals(0f, c);
        }
        for (float b : decomposition.model().parameters().get("conv3.basis").data()) {
            assertTrue(Float.isFinite(b));
        }
    }

    @Test
    void basesAreTakenPerLayerAndCappedAtTheKernelSize() {
        Decomposition decomposition = BasisDecomposer.decompose(VGG,
                new DecompositionSettings(5, Map.of("conv1", 3, "conv2", 20)));
        LayerDecomposition conv2 = decomposition.layers().get(1);
        assertEquals(20, conv2.requestedBases());
        assertEquals(9, conv2.bases());
        assertEquals(3, decomposition.layers().get(0).bases());
        assertEquals(5, decomposition.layers().get(2).bases());
        Layer.DecomposedConv2d layer = (Layer.DecomposedConv2d) decomposition.model().network().layers().stream()
                .filter(l -> l.name().equals("conv2")).findFirst().orElseThrow();
        assertEquals(9, layer.bases());
        assertEquals(List.of(32, 32, 9).toString(),
                Arrays.toString(decomposition.model().parameters().get("conv2.coefficients").shape()));
    }

    @Test
    void decomposedLayersKeepNameStridePaddingAndBias() {
        Network network = new Network("strided", List.of(new Layer.Input("input", 3, 12, 12),
                new Layer.Conv2d("conv", "input", 8, 3, 3, 2, 1, 1, true)), "conv");
        Model model = Architectures.initialise(network, 3);
        Model decomposed = BasisDecomposer.decompose(model, DecompositionSettings.of(4)).model();
        assertEquals(new Layer.DecomposedConv2d("conv", "input", 8, 3, 3, 2, 1, 4, true),
                decomposed.network().layers().get(1));
        assertSame(model.parameters().get("conv.bias"), decomposed.parameters().get("conv.bias"));
    }

    @Test
    void oneByOneAndGroupedConvolutionsAndOtherLayersStayAsTheyAre() {
        Network network = new Network("mixed", List.of(new Layer.Input("input", 4, 8, 8),
                new Layer.Conv2d("pointwise", "input", 8, 4, 1, 1, 0, 1, false),
                new Layer.Conv2d("grouped", "pointwise", 8, 8, 3, 1, 1, 2, false),
                new Layer.BatchNorm("bn", "grouped", 8, 1e-5, 0.1),
                new Layer.Conv2d("full", "bn", 4, 8, 3, 1, 1, 1, false)), "full");
        Model model = Architectures.initialise(network, 2);
        Model decomposed = BasisDecomposer.decompose(model, DecompositionSettings.paper()).model();
        List<Layer> layers = decomposed.network().layers();
        assertEquals(network.layers().subList(0, 4), layers.subList(0, 4));
        assertInstanceOf(Layer.DecomposedConv2d.class, layers.get(4));
        for (String kept : List.of("pointwise.weight", "grouped.weight", "bn.gamma", "bn.running_var")) {
            assertSame(model.parameters().get(kept), decomposed.parameters().get(kept), kept);
        }
    }

    @Test
    void basesForALayerThatIsNotAKxKConvolutionAreRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BasisDecomposer.decompose(VGG, new DecompositionSettings(5, Map.of("fc1", 3))));
        assertTrue(e.getMessage().contains("'fc1'"), e.getMessage());
        assertTrue(e.getMessage().contains("vgg-small"), e.getMessage());
    }

    @Test
    void fewerThanOneBasisIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DecompositionSettings(5, Map.of("conv1", 0)));
        assertTrue(e.getMessage().contains("conv1"), e.getMessage());
    }

    /**
     * Hestenes' one-sided Jacobi: rotate pairs of columns of K until they are orthogonal; their norms are then
     * the singular values.
     */
    private static double[] singularValuesByOneSidedJacobi(float[] weight, int columns) {
        int rows = weight.length / columns;
        double[][] col = new double[columns][rows];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < columns; i++) {
                col[i][r] = weight[r * columns + i];
            }
        }
        for (int sweep = 0; sweep < 60; sweep++) {
            boolean rotated = false;
            for (int i = 0; i < columns - 1; i++) {
                for (int l = i + 1; l < columns; l++) {
                    double alpha = dot(col[i], col[i]);
                    double beta = dot(col[l], col[l]);
                    double gamma = dot(col[i], col[l]);
                    if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta == 0 ? 1 : zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double c = 1 / Math.sqrt(1 + t * t);
                    double s = c * t;
                    for (int r = 0; r < rows; r++) {
                        double a = col[i][r];
                        double b = col[l][r];
                        col[i][r] = c * a - s * b;
                        col[l][r] = s * a + c * b;
                    }
                }
            }
            if (!rotated) {
                break;
            }
        }
        double[] sigma = new double[columns];
        for (int i = 0; i < columns; i++) {
            sigma[i] = Math.sqrt(dot(col[i], col[i]));
        }
        Arrays.sort(sigma);
        for (int i = 0; i < columns / 2; i++) {
            double swap = sigma[i];
            sigma[i] = sigma[columns - 1 - i];
            sigma[columns - 1 - i] = swap;
        }
        return sigma;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    static Tensor randomImages(int batch, int channels, int height, int width, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[batch * channels * height * width];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return new Tensor(new int[] {batch, channels, height, width}, data);
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
