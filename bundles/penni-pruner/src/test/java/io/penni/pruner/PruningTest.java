package io.penni.pruner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Tensor;
import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.TensorKind;
import io.penni.decomposer.BasisDecomposer;
import io.penni.decomposer.DecompositionSettings;
import io.penni.model.Architectures;
import io.penni.model.ModelException;
import io.penni.model.ReferenceForward;
import io.penni.model.SafeTensors;
import io.penni.model.StoredTensor;
import io.penni.model.TensorFile;

class PruningTest {

    private static final Model VGG = BasisDecomposer.decompose(Architectures.create("vgg-small", 7),
            DecompositionSettings.paper()).model();
    private static final Model RESNET = BasisDecomposer.decompose(Architectures.create("resnet-small", 7),
            DecompositionSettings.paper()).model();

    private static PruneResult pruned(PruningOutcome outcome) {
        return assertInstanceOf(PruningOutcome.Pruned.class, outcome).result();
    }

    private static String rejected(PruningOutcome outcome) {
        return assertInstanceOf(PruningOutcome.Rejected.class, outcome).reason();
    }

    /** The model with the coefficients of some output channels of a layer set to zero. */
    private static Model withDeadChannels(Model model, String layer, int... channels) {
        Map<String, Tensor> parameters = new HashMap<>(model.parameters());
        Tensor coefficients = parameters.get(layer + ".coefficients");
        float[] data = coefficients.data().clone();
        int perChannel = data.length / coefficients.shape()[0];
        for (int n : channels) {
            Arrays.fill(data, n * perChannel, (n + 1) * perChannel, 0f);
        }
        parameters.put(layer + ".coefficients", new Tensor(coefficients.shape(), data));
        return new Model(model.network(), parameters);
    }

    @Test
    void prunableTensorsAreDecomposedCoefficientsAndOneByOneWeightsInNetworkOrder() {
        List<PrunableTensor> tensors = Pruning.prunableTensors(RESNET);
        List<String> expected = RESNET.network().layers().stream()
                .filter(l -> l instanceof Layer.DecomposedConv2d || l instanceof Layer.Conv2d).map(Layer::name)
                .toList();
        assertEquals(expected, tensors.stream().map(PrunableTensor::layer).toList());
        PrunableTensor downsample = tensors.stream().filter(t -> t.layer().equals("layer2.0.downsample.0"))
                .findFirst().orElseThrow();
        assertEquals(TensorKind.CONV_WEIGHT, downsample.kind());
        assertEquals(0, downsample.basisNorms().length);
        assertEquals(TensorKind.COEFFICIENTS, tensors.get(0).kind());
        for (int i = 0; i < tensors.size(); i++) {
            assertEquals(i, tensors.get(i).position());
        }
        assertFalse(tensors.stream().anyMatch(t -> t.layer().equals("fc")));
    }

    @Test
    void aDenseFirstConvolutionIsNotPrunable() {
        Network network = new Network("pointwise", List.of(new Layer.Input("input", 3, 4, 4),
                new Layer.Conv2d("first", "input", 8, 3, 1, 1, 0, 1, false),
                new Layer.Conv2d("second", "first", 8, 8, 1, 1, 0, 1, false)), "second");
        List<PrunableTensor> tensors = Pruning.prunableTensors(Architectures.initialise(network, 1));
        assertEquals(List.of("second"), tensors.stream().map(PrunableTensor::layer).toList());
    }

    @Test
    void basisNormsAreTheLengthsOfTheBasisKernels() {
        Network network = new Network("one", List.of(new Layer.Input("input", 2, 6, 6),
                new Layer.DecomposedConv2d("conv", "input", 4, 2, 3, 1, 1, 3, false)), "conv");
        Model model = Architectures.initialise(network, 4);
        float[] basis = model.parameters().get("conv.basis").data();
        float[] norms = Pruning.prunableTensors(model).get(0).basisNorms();
        assertEquals(3, norms.length);
        for (int j = 0; j < 3; j++) {
            double sum = 0;
            for (int i = 0; i < 9; i++) {
                sum += basis[j * 9 + i] * basis[j * 9 + i];
            }
            assertEquals(Math.sqrt(sum), norms[j], 1e-6);
        }
    }

    @Test
    void prunedValuesBecomeZeroAndKeptValuesAreUnchanged() {
        PruneResult result = pruned(Pruning.prune(VGG, "magnitude", new MagnitudeStrategy(), Map.of("t", "0.1")));
        float[] before = VGG.parameters().get("conv3.coefficients").data();
        float[] after = result.model().parameters().get("conv3.coefficients").data();
        boolean[] keep = result.masks().keep("conv3.coefficients").orElseThrow();
        int pruned = 0;
        for (int i = 0; i < before.length; i++) {
            assertEquals(keep[i] ? before[i] : 0f, after[i]);
            pruned += keep[i] ? 0 : 1;
        }
        assertTrue(pruned > 0 && pruned < before.length, pruned + " pruned");
        assertEquals(VGG.parameters().get("fc1.weight"), result.model().parameters().get("fc1.weight"));
    }

    @Test
    void sparsityIsKeptOverTotalOfEachPrunableTensor() {
        PruneResult result = pruned(Pruning.prune(VGG, "magnitude", new MagnitudeStrategy(), Map.of()));
        assertEquals(6, result.layers().size());
        LayerSparsity conv2 = result.layers().get(1);
        assertEquals("conv2", conv2.layer());
        assertEquals(32 * 32 * 5, conv2.total());
        long kept = 0;
        for (boolean k : result.masks().keep("conv2.coefficients").orElseThrow()) {
            kept += k ? 1 : 0;
        }
        assertEquals(kept, conv2.kept());
        assertEquals(1 - kept / (double) (32 * 32 * 5), conv2.sparsity(), 1e-12);
        assertEquals(result.layers().stream().mapToLong(LayerSparsity::kept).sum(), result.kept());
    }

    @Test
    void aStrategyThatRevivesPrunedValuesIsOverruledAndReported() {
        PruneResult first = pruned(Pruning.prune(VGG, "magnitude", new MagnitudeStrategy(), Map.of()));
        PruneResult second = pruned(Pruning.prune(first.model(), "reviver",
                new MagnitudeStrategy(MagnitudeStrategy.Fault.REVIVES), Map.of(), first.masks()));
        assertArrayEquals(first.masks().keep("conv4.coefficients").orElseThrow(),
                second.masks().keep("conv4.coefficients").orElseThrow());
        assertArrayEquals(first.model().parameters().get("conv4.coefficients").data(),
                second.model().parameters().get("conv4.coefficients").data());
        assertEquals(6, second.violations().size());
        assertTrue(second.violations().get(3).startsWith("strategy reviver kept "), second.violations().get(3));
        assertTrue(second.violations().get(3).contains("conv4.coefficients"), second.violations().get(3));
    }

    @Test
    void previousMasksAreAppliedBeforeTheStrategyRuns() {
        boolean[] keep = new boolean[32 * 1 * 5];
        Arrays.fill(keep, true);
        keep[0] = false;
        ParameterMasks previous = new ParameterMasks(Map.of("conv1.coefficients",
                new StoredTensor.Bool(new int[] {32, 1, 5}, keep)));
        PruneResult result = pruned(Pruning.prune(VGG, "magnitude", new MagnitudeStrategy(), Map.of("t", "0"),
                previous));
        assertEquals(0f, result.model().parameters().get("conv1.coefficients").data()[0]);
        assertFalse(result.masks().keep("conv1.coefficients").orElseThrow()[0]);
        assertEquals(32 * 5 - 1, result.layers().get(0).kept());
    }

    @Test
    void previousMasksThatDoNotFitTheModelAreRejected() {
        ParameterMasks wrong = new ParameterMasks(Map.of("conv1.coefficients",
                new StoredTensor.Bool(new int[] {2}, new boolean[2])));
        assertTrue(rejected(Pruning.prune(VGG, "magnitude", new MagnitudeStrategy(), Map.of(), wrong))
                .startsWith("previous mask 'conv1.coefficients' has shape [2]"));
    }

    @Test
    void aStrategyReturningTooFewMasksIsRejected() {
        String reason = rejected(Pruning.prune(VGG, "dropper",
                new MagnitudeStrategy(MagnitudeStrategy.Fault.DROPS_A_MASK), Map.of()));
        assertEquals("strategy dropper returned 5 masks for 6 tensors", reason);
    }

    @Test
    void aMaskOfTheWrongLengthIsRejectedNamingTheLayer() {
        String reason = rejected(Pruning.prune(VGG, "short",
                new MagnitudeStrategy(MagnitudeStrategy.Fault.SHORT_MASK), Map.of()));
        assertEquals("strategy short returned a mask of 159 values for layer conv1, whose tensor has 160", reason);
    }

    @Test
    void aStrategysInvalidAnswerIsPassedOnAsTheReason() {
        assertEquals("strategy magnitude: parameter 't' must be >= 0, was '-1'",
                rejected(Pruning.prune(VGG, "magnitude", new MagnitudeStrategy(), Map.of("t", "-1"))));
    }

    @Test
    void aStrategyThatThrowsIsRejectedInsteadOfThrowing() {
        String reason = rejected(Pruning.prune(VGG, "thrower", new MagnitudeStrategy(MagnitudeStrategy.Fault.THROWS),
                Map.of()));
        assertTrue(reason.startsWith("strategy thrower failed: java.lang.IllegalStateException: broken on purpose"),
                reason);
    }

    @Test
    void aStrategyThatCannotLoadItsClassesIsRejectedInsteadOfThrowing() {
        String reason = rejected(Pruning.prune(VGG, "orphan",
                new MagnitudeStrategy(MagnitudeStrategy.Fault.LOSES_ITS_BUNDLE), Map.of()));
        assertEquals("strategy orphan failed (was its bundle removed while it ran?): java.lang.NoClassDefFoundError: "
                + "io/example/Gone", reason);
    }

    @Test
    void aDeadFiltersBatchNormOutputIsExactlyZero() {
        Map<String, Tensor> parameters = new HashMap<>(withDeadChannels(VGG, "conv2", 5).parameters());
        // a non-zero running mean: without zeroing gamma and beta the channel would be a non-zero constant
        float[] mean = new float[32];
        Arrays.fill(mean, 0.7f);
        parameters.put("bn2.running_mean", new Tensor(new int[] {32}, mean));
        PruneResult result = pruned(Pruning.prune(new Model(VGG.network(), parameters), "magnitude",
                new MagnitudeStrategy(), Map.of("t", "0")));
        assertEquals(0f, result.model().parameters().get("bn2.gamma").data()[5]);
        assertEquals(0f, result.model().parameters().get("bn2.beta").data()[5]);
        assertFalse(result.masks().keep("bn2.gamma").orElseThrow()[5]);
        assertTrue(result.masks().keep("bn2.gamma").orElseThrow()[4]);
        Tensor bn2 = ReferenceForward.activations(result.model(), images(2)).get("bn2");
        int plane = 28 * 28;
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < plane; i++) {
                assertEquals(0f, bn2.data()[(b * 32 + 5) * plane + i]);
            }
            assertNotEquals(0f, bn2.data()[(b * 32 + 4) * plane]);
        }
    }

    @Test
    void aDeadFiltersBiasIsZeroedAndItsCoefficientsMasked() {
        Network network = new Network("biased", List.of(new Layer.Input("input", 2, 6, 6),
                new Layer.DecomposedConv2d("conv1", "input", 4, 2, 3, 1, 1, 3, true),
                new Layer.DecomposedConv2d("conv2", "conv1", 4, 4, 3, 1, 1, 3, true)), "conv2");
        Map<String, Tensor> parameters = new HashMap<>(Architectures.initialise(network, 9).parameters());
        parameters.put("conv2.bias", new Tensor(new int[] {4}, new float[] {1, 2, 3, 4}));
        Model model = withDeadChannels(new Model(network, parameters), "conv2", 2);
        PruneResult result = pruned(Pruning.prune(model, "magnitude", new MagnitudeStrategy(), Map.of("t", "0")));
        assertArrayEquals(new float[] {1, 2, 0, 4}, result.model().parameters().get("conv2.bias").data());
        assertArrayEquals(new boolean[] {true, true, false, true}, result.masks().keep("conv2.bias").orElseThrow());
        boolean[] coefficients = result.masks().keep("conv2.coefficients").orElseThrow();
        for (int i = 0; i < coefficients.length; i++) {
            // with t = 0 every value is kept, except the dead channel's (4 inputs · 3 bases = 12 per channel)
            assertEquals(i / 12 != 2, coefficients[i], "coefficient " + i);
        }
    }

    @Test
    void masksCoverThePrunableTensorsAndTheirBiasesAndBatchNorms() {
        PruneResult result = pruned(Pruning.prune(VGG, "magnitude", new MagnitudeStrategy(), Map.of()));
        Set<String> expected = new TreeSet<>();
        for (int i = 1; i <= 6; i++) {
            expected.addAll(List.of("conv" + i + ".coefficients", "bn" + i + ".gamma", "bn" + i + ".beta"));
        }
        assertEquals(expected, result.masks().masks().keySet());
    }

    @Test
    void masksRoundTripThroughASafetensorsFile(@TempDir Path dir) {
        PruneResult result = pruned(Pruning.prune(VGG, "magnitude", new MagnitudeStrategy(), Map.of()));
        Path file = dir.resolve("masks.safetensors");
        MaskFiles.save(result.masks(), Map.of("strategy", "magnitude"), file);
        assertEquals(result.masks(), MaskFiles.load(file));
        assertEquals("magnitude", MaskFiles.metadata(file).get("strategy"));
    }

    @Test
    void aSafetensorsFileThatIsNotAMaskFileIsRefused(@TempDir Path dir) {
        Path file = dir.resolve("weights.safetensors");
        SafeTensors.write(file, new TensorFile(Map.of("w", new StoredTensor.F32(Tensor.zeros(2))), Map.of()));
        ModelException e = assertThrows(ModelException.class, () -> MaskFiles.load(file));
        assertTrue(e.getMessage().endsWith("not a mask file (its metadata needs format=penni-masks)"),
                e.getMessage());
    }

    private static Tensor images(int batch) {
        SplittableRandom random = new SplittableRandom(3);
        float[] data = new float[batch * 28 * 28];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return new Tensor(new int[] {batch, 1, 28, 28}, data);
    }

    @Test
    void fullyConnectedWeightsArePrunableOnlyWhenAskedAndNeverTheOutputLayer() {
        assertTrue(Pruning.prunableTensors(VGG).stream().noneMatch(t -> t.kind() == TensorKind.LINEAR_WEIGHT),
                "off by default");
        List<PrunableTensor> tensors = Pruning.prunableTensors(VGG, true);
        List<String> linear = tensors.stream().filter(t -> t.kind() == TensorKind.LINEAR_WEIGHT)
                .map(PrunableTensor::layer).toList();
        List<String> all = VGG.network().layers().stream().filter(Layer.Linear.class::isInstance).map(Layer::name)
                .toList();
        assertEquals(all.subList(0, all.size() - 1), linear, "every FC layer but the output one");
        assertTrue(linear.size() >= 1);
        assertFalse(linear.contains(VGG.network().output()));
    }

    @Test
    void prunedFullyConnectedWeightsAreZeroMaskedAndDeadUnitsLoseTheirBias() {
        Layer.Linear fc = VGG.network().layers().stream().filter(Layer.Linear.class::isInstance)
                .map(Layer.Linear.class::cast).findFirst().orElseThrow();
        Map<String, Tensor> parameters = new HashMap<>(VGG.parameters());
        Tensor w = parameters.get(fc.name() + ".weight");
        float[] data = w.data().clone();
        Arrays.fill(data, 0, fc.inFeatures(), 0f); // unit 0 has only zero weights: it is dead
        parameters.put(fc.name() + ".weight", new Tensor(w.shape(), data));
        float[] magnitudes = data.clone();
        for (int i = 0; i < magnitudes.length; i++) {
            magnitudes[i] = Math.abs(magnitudes[i]);
        }
        Arrays.sort(magnitudes);
        String median = String.valueOf(magnitudes[magnitudes.length / 2]);
        PruneResult result = pruned(Pruning.prune(new Model(VGG.network(), parameters), "magnitude",
                new MagnitudeStrategy(), Map.of("t", median), ParameterMasks.none(), true));
        float[] after = result.model().parameters().get(fc.name() + ".weight").data();
        boolean[] keep = result.masks().masks().get(fc.name() + ".weight").values();
        int zeros = 0;
        for (int i = 0; i < after.length; i++) {
            if (!keep[i]) {
                assertEquals(0f, after[i], "masked weight " + i);
                zeros++;
            }
        }
        assertTrue(zeros >= after.length / 2, zeros + " of " + after.length);
        if (fc.bias()) {
            assertEquals(0f, result.model().parameters().get(fc.name() + ".bias").data()[0], "a dead unit's bias");
            assertFalse(result.masks().masks().get(fc.name() + ".bias").values()[0]);
        }
        assertTrue(result.layers().stream().anyMatch(l -> l.kind() == TensorKind.LINEAR_WEIGHT), result.layers().toString());
    }
}
