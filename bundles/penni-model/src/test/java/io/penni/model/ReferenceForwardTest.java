package io.penni.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Padding;
import io.penni.api.model.Tensor;

class ReferenceForwardTest {

    private static Tensor tensor(int[] shape, float... values) {
        return new Tensor(shape, values);
    }

    private static Model model(List<Layer> layers, Map<String, Tensor> parameters) {
        return new Model(new Network("t", layers, layers.get(layers.size() - 1).name()), parameters);
    }

    private static float[] run(Model model, Tensor images) {
        return ReferenceForward.forward(model, images).data();
    }

    private static float[] random(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    @Test
    void convolutionMatchesAHandComputedResult() {
        // input 1..9 as 3×3, kernel [[1, 2], [3, 4]], bias 0.5: out[y][x] = Σ w·in over the 2×2 window + 0.5
        Model model = model(List.of(new Layer.Input("in", 1, 3, 3),
                new Layer.Conv2d("conv", "in", 1, 1, 2, 1, 0, 1, true)),
                Map.of("conv.weight", tensor(new int[] {1, 1, 2, 2}, 1, 2, 3, 4),
                        "conv.bias", tensor(new int[] {1}, 0.5f)));
        float[] out = run(model, tensor(new int[] {1, 1, 3, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertArrayEquals(new float[] {37.5f, 47.5f, 67.5f, 77.5f}, out);
    }

    @Test
    void convolutionPadsWithZerosAndStrides() {
        // a 3×3 box filter, padding 1, stride 2 on 1..9: sums of the in-bounds neighbours of the four corners
        float[] ones = new float[9];
        Arrays.fill(ones, 1f);
        Model model = model(List.of(new Layer.Input("in", 1, 3, 3),
                new Layer.Conv2d("conv", "in", 1, 1, 3, 2, 1, 1, false)),
                Map.of("conv.weight", tensor(new int[] {1, 1, 3, 3}, ones)));
        float[] out = run(model, tensor(new int[] {1, 1, 3, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertArrayEquals(new float[] {12, 16, 24, 28}, out);
    }

    @Test
    void convolutionPadsEachSideByItsOwnAmount() {
        // the 3×3 box filter on 1..9 padded [top 0, left 1, bottom 1, right 0]: windows start at rows 0 and 1 and
        // at columns -1 and 0; row 3 and column -1 are zeros
        float[] ones = new float[9];
        Arrays.fill(ones, 1f);
        Model model = model(List.of(new Layer.Input("in", 1, 3, 3),
                new Layer.Conv2d("conv", "in", 1, 1, 3, 1, new Padding(0, 1, 1, 0), 1, false)),
                Map.of("conv.weight", tensor(new int[] {1, 1, 3, 3}, ones)));
        float[] out = run(model, tensor(new int[] {1, 1, 3, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        // (1+2+4+5+7+8), (1+...+9), (4+5+7+8), (4+5+6+7+8+9)
        assertArrayEquals(new float[] {27, 45, 24, 39}, out);
    }

    @Test
    void poolingPadsEachSideByItsOwnAmount() {
        // 2×2 windows at stride 2 on a 3×3 map padded at the bottom and right: the last row and column get a window
        Model max = model(List.of(new Layer.Input("in", 1, 3, 3),
                new Layer.Pool("pool", "in", Layer.PoolKind.MAX, 2, 2, new Padding(0, 0, 1, 1))), Map.of());
        Tensor image = tensor(new int[] {1, 1, 3, 3}, -1, -2, -3, -4, -5, -6, -7, -8, -9);
        assertArrayEquals(new float[] {-1, -3, -7, -9}, run(max, image), "max never takes the padded zeros");
        Model avg = model(List.of(new Layer.Input("in", 1, 3, 3),
                new Layer.Pool("pool", "in", Layer.PoolKind.AVG, 2, 2, new Padding(0, 0, 1, 1))), Map.of());
        assertArrayEquals(new float[] {-3, -9 / 4f, -15 / 4f, -9 / 4f}, run(avg, image), "average counts them");
    }

    @Test
    void groupedConvolutionKeepsEachGroupToItsOwnChannels() {
        // depthwise 1×1: output c = weight[c] · input c
        Model model = model(List.of(new Layer.Input("in", 2, 1, 2),
                new Layer.Conv2d("conv", "in", 2, 2, 1, 1, 0, 2, false)),
                Map.of("conv.weight", tensor(new int[] {2, 1, 1, 1}, 10, -1)));
        assertArrayEquals(new float[] {10, 20, -3, -4}, run(model, tensor(new int[] {1, 2, 1, 2}, 1, 2, 3, 4)));
    }

    @Test
    void batchNormUsesTheRunningStatistics() {
        // gamma 3, beta 1, mean 1, var 4: y = 3 (x − 1) / 2 + 1
        Model model = model(List.of(new Layer.Input("in", 1, 1, 2), new Layer.BatchNorm("bn", "in", 1, 1e-12, 0.1)),
                Map.of("bn.gamma", tensor(new int[] {1}, 3), "bn.beta", tensor(new int[] {1}, 1),
                        "bn.running_mean", tensor(new int[] {1}, 1), "bn.running_var", tensor(new int[] {1}, 4)));
        assertArrayEquals(new float[] {1f, 4f}, run(model, tensor(new int[] {1, 1, 1, 2}, 1, 3)), 1e-6f);
    }

    @Test
    void maxPoolingTakesEachWindowsMaximum() {
        Model model = model(List.of(new Layer.Input("in", 1, 4, 4),
                new Layer.Pool("pool", "in", Layer.PoolKind.MAX, 2, 2, 0)), Map.of());
        float[] out = run(model, tensor(new int[] {1, 1, 4, 4}, 1, 5, 2, 0, 3, 4, 8, 1, -1, -2, 0, 0, -3, -4, 0, 9));
        assertArrayEquals(new float[] {5, 8, -1, 9}, out);
    }

    @Test
    void maxPoolingNeverTakesThePadding() {
        Model model = model(List.of(new Layer.Input("in", 1, 2, 2),
                new Layer.Pool("pool", "in", Layer.PoolKind.MAX, 3, 1, 1)), Map.of());
        assertArrayEquals(new float[] {-1, -1, -1, -1}, run(model, tensor(new int[] {1, 1, 2, 2}, -1, -2, -3, -4)));
    }

    @Test
    void averagePoolingCountsPaddedZeros() {
        // each 2×2 window with padding 1 covers one input value: 4 / 4
        Model model = model(List.of(new Layer.Input("in", 1, 2, 2),
                new Layer.Pool("pool", "in", Layer.PoolKind.AVG, 2, 2, 1)), Map.of());
        assertArrayEquals(new float[] {1, 2, 3, 4}, run(model, tensor(new int[] {1, 1, 2, 2}, 4, 8, 12, 16)));
    }

    @Test
    void globalAveragePoolingAveragesEachChannel() {
        Model model = model(List.of(new Layer.Input("in", 2, 2, 2), new Layer.GlobalAvgPool("gap", "in")), Map.of());
        assertArrayEquals(new float[] {2.5f, -1f}, run(model, tensor(new int[] {1, 2, 2, 2}, 1, 2, 3, 4, -1, -1, -1,
                -1)));
    }

    @Test
    void addSumsItsInputsAndReluClampsNegatives() {
        Model model = model(List.of(new Layer.Input("in", 1, 1, 3), new Layer.Relu("relu", "in"),
                new Layer.Add("sum", List.of("in", "relu"))), Map.of());
        assertArrayEquals(new float[] {-2, 0, 6}, run(model, tensor(new int[] {1, 1, 1, 3}, -2, 0, 3)));
    }

    @Test
    void linearFlattensItsInputChannelMajorAndDropoutIsTheIdentity() {
        Model model = model(List.of(new Layer.Input("in", 2, 1, 2), new Layer.Dropout("drop", "in", 0.5),
                new Layer.Flatten("flat", "drop"), new Layer.Linear("fc", "flat", 2, 4, true)),
                Map.of("fc.weight", tensor(new int[] {2, 4}, 1, 0, 0, 0, 0, 0, 0, 1),
                        "fc.bias", tensor(new int[] {2}, 0.5f, -0.5f)));
        assertArrayEquals(new float[] {1.5f, 3.5f}, run(model, tensor(new int[] {1, 2, 1, 2}, 1, 2, 3, 4)));
    }

    /** A dense and a decomposed layer of the same convolution, W[n,c] = Σ_j coefficients[n,c,j] · basis[j]. */
    private static void assertDecomposedEqualsDense(int bases, int stride, int padding, double pruned) {
        int n = 6;
        int c = 4;
        int k = 3;
        SplittableRandom random = new SplittableRandom(bases * 100L + stride);
        float[] basis = random(random, bases * k * k);
        float[] coefficients = random(random, n * c * bases);
        for (int i = 0; i < coefficients.length; i++) {
            if (random.nextDouble() < pruned) {
                coefficients[i] = 0f;
            }
        }
        float[] weight = new float[n * c * k * k];
        for (int nc = 0; nc < n * c; nc++) {
            for (int p = 0; p < k * k; p++) {
                double sum = 0;
                for (int j = 0; j < bases; j++) {
                    sum += (double) coefficients[nc * bases + j] * basis[j * k * k + p];
                }
                weight[nc * k * k + p] = (float) sum;
            }
        }
        float[] bias = random(random, n);
        Layer.Input input = new Layer.Input("in", c, 9, 9);
        Model dense = model(List.of(input, new Layer.Conv2d("conv", "in", n, c, k, stride, padding, 1, true)),
                Map.of("conv.weight", new Tensor(new int[] {n, c, k, k}, weight),
                        "conv.bias", new Tensor(new int[] {n}, bias)));
        Model decomposed = model(List.of(input,
                new Layer.DecomposedConv2d("conv", "in", n, c, k, stride, padding, bases, true)),
                Map.of("conv.basis", new Tensor(new int[] {bases, k * k}, basis),
                        "conv.coefficients", new Tensor(new int[] {n, c, bases}, coefficients),
                        "conv.bias", new Tensor(new int[] {n}, bias)));
        Tensor images = new Tensor(new int[] {2, c, 9, 9}, random(random, 2 * c * 81));
        float[] expected = run(dense, images);
        float[] actual = run(decomposed, images);
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(maxDiff <= 1e-5, "max abs difference " + maxDiff);
    }

    @Test
    void decomposedLayerWithAsManyBasesAsKernelValuesEqualsTheDenseLayer() {
        assertDecomposedEqualsDense(9, 1, 1, 0);
    }

    @Test
    void decomposedLayerWithFiveBasesEqualsTheDenseLayerOfItsProduct() {
        assertDecomposedEqualsDense(5, 2, 1, 0);
    }

    @Test
    void decomposedLayerWithPrunedCoefficientsEqualsTheDenseLayerOfItsProduct() {
        assertDecomposedEqualsDense(5, 1, 0, 0.7);
    }

    @Test
    void shrunkModelGivesTheSameLogitsAsThePrunedModelItCameFrom() {
        SplittableRandom random = new SplittableRandom(9);
        float[] basis = random(random, 5 * 9);
        float[] coefficients = random(random, 4 * 2 * 5);
        for (int i = 2 * 2 * 5; i < 3 * 2 * 5; i++) {
            coefficients[i] = 0f; // output channel 2 pruned away entirely
        }
        float[] fc = random(random, 3 * 4);
        Map<String, Tensor> pruned = Map.of("conv.basis", new Tensor(new int[] {5, 9}, basis),
                "conv.coefficients", new Tensor(new int[] {4, 2, 5}, coefficients),
                "fc.weight", new Tensor(new int[] {3, 4}, fc));
        // shrinking drops output channel 2 of conv and input column 2 of fc
        float[] shrunkCoefficients = new float[3 * 2 * 5];
        System.arraycopy(coefficients, 0, shrunkCoefficients, 0, 20);
        System.arraycopy(coefficients, 30, shrunkCoefficients, 20, 10);
        float[] shrunkFc = new float[3 * 3];
        for (int o = 0; o < 3; o++) {
            shrunkFc[o * 3] = fc[o * 4];
            shrunkFc[o * 3 + 1] = fc[o * 4 + 1];
            shrunkFc[o * 3 + 2] = fc[o * 4 + 3];
        }
        Map<String, Tensor> shrunk = Map.of("conv.basis", new Tensor(new int[] {5, 9}, basis),
                "conv.coefficients", new Tensor(new int[] {3, 2, 5}, shrunkCoefficients),
                "fc.weight", new Tensor(new int[] {3, 3}, shrunkFc));
        Tensor images = new Tensor(new int[] {1, 2, 6, 6}, random(random, 72));
        float[] before = run(model(net(4), pruned), images);
        float[] after = run(model(net(3), shrunk), images);
        assertArrayEquals(before, after, 1e-6f);
    }

    private static List<Layer> net(int channels) {
        return List.of(new Layer.Input("in", 2, 6, 6),
                new Layer.DecomposedConv2d("conv", "in", channels, 2, 3, 1, 1, 5, false),
                new Layer.Relu("relu", "conv"), new Layer.GlobalAvgPool("gap", "relu"),
                new Layer.Linear("fc", "gap", 3, channels, false));
    }

    @Test
    void eachImageOfABatchGivesWhatItGivesAlone() {
        Model model = Architectures.create("resnet-small", 4);
        SplittableRandom random = new SplittableRandom(1);
        float[] a = random(random, 784);
        float[] b = random(random, 784);
        float[] both = new float[2 * 784];
        System.arraycopy(a, 0, both, 0, 784);
        System.arraycopy(b, 0, both, 784, 784);
        float[] batch = run(model, new Tensor(new int[] {2, 1, 28, 28}, both));
        float[] expected = new float[20];
        System.arraycopy(run(model, new Tensor(new int[] {1, 1, 28, 28}, a)), 0, expected, 0, 10);
        System.arraycopy(run(model, new Tensor(new int[] {1, 1, 28, 28}, b)), 0, expected, 10, 10);
        assertArrayEquals(expected, batch);
    }

    @Test
    void resnet18CifarRunsOnOneImage() {
        Model model = Architectures.create("resnet18-cifar", 2);
        Tensor logits = ReferenceForward.forward(model,
                new Tensor(new int[] {1, 3, 32, 32}, random(new SplittableRandom(3), 3 * 32 * 32)));
        assertArrayEquals(new int[] {1, 10}, logits.shape());
        for (float v : logits.data()) {
            assertTrue(Float.isFinite(v), "logit " + v);
        }
    }

    @Test
    void activationsHoldEveryLayerWithTheBatchDimension() {
        Model model = Architectures.create("vgg-small", 1);
        Map<String, Tensor> activations = ReferenceForward.activations(model,
                new Tensor(new int[] {2, 1, 28, 28}, new float[2 * 784]));
        List<String> names = new ArrayList<>();
        model.network().layers().forEach(l -> names.add(l.name()));
        assertEquals(names, List.copyOf(activations.keySet()));
        assertArrayEquals(new int[] {2, 64, 7, 7}, activations.get("pool2").shape());
        assertArrayEquals(ReferenceForward.forward(model, new Tensor(new int[] {2, 1, 28, 28}, new float[2 * 784]))
                .data(), activations.get("fc2").data());
    }

    @Test
    void imagesOfTheWrongShapeAreRefused() {
        Model model = Architectures.create("vgg-small", 1);
        String message = assertThrows(ModelException.class, () -> ReferenceForward.forward(model,
                new Tensor(new int[] {1, 3, 28, 28}, new float[3 * 784]))).getMessage();
        assertEquals("network vgg-small: expects images [batch, 1, 28, 28] with batch >= 1, got [1, 3, 28, 28]",
                message);
    }

    @Test
    void anInvalidModelIsRefusedBeforeRunning() {
        Model model = Architectures.create("vgg-small", 1);
        Map<String, Tensor> parameters = new HashMap<>(model.parameters());
        parameters.remove("conv1.weight");
        assertThrows(ModelException.class, () -> ReferenceForward.forward(new Model(model.network(), parameters),
                new Tensor(new int[] {1, 1, 28, 28}, new float[784])));
    }
}
