package io.penni.shrinker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.penni.api.model.ActivationShape;
import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.Tensor;
import io.penni.decomposer.BasisDecomposer;
import io.penni.decomposer.DecompositionSettings;
import io.penni.model.Architectures;
import io.penni.model.ModelCount;
import io.penni.model.ModelCounter;
import io.penni.model.ModelException;
import io.penni.model.NetworkShapes;
import io.penni.model.ReferenceForward;
import io.penni.pruner.Pruning;
import io.penni.pruner.PruningOutcome;
import io.penni.strategy.std.internal.StdThresholdStrategy;

class ChannelShrinkerTest {

    /** vgg-small, decomposed, with deliberately dead parts, then pruned by the std rule (s = 1). */
    private static final Model VGG = pruned("vgg-small", p -> {
        zeroOutputs(p, "conv2", 3, 17);
        zeroInputs(p, "conv4", 5);
        zeroOutputs(p, "conv6", 0, 100);
        zeroBasis(p, "conv5", 4);
    });

    /**
     * resnet-small likewise: a dead filter inside a block, dead filters and a dead input channel on the residual
     * stream (which the joins must keep), and a residual channel dead on every branch of stage 2 and of stage 3
     * (the last, before global pooling and the linear layer).
     */
    private static final Model RESNET = pruned("resnet-small", p -> {
        zeroOutputs(p, "layer1.0.conv1", 2);
        zeroOutputs(p, "layer1.1.conv2", 7);
        zeroInputs(p, "layer2.1.conv1", 4);
        zeroOutputs(p, "layer3.1.conv2", 20);
        for (String producer : List.of("layer2.0.conv2", "layer2.0.downsample.0", "layer2.1.conv2")) {
            zeroOutputs(p, producer, 9);
        }
        for (String producer : List.of("layer3.0.conv2", "layer3.0.downsample.0", "layer3.1.conv2")) {
            zeroOutputs(p, producer, 11);
        }
    });

    private static final ShrinkPlan VGG_PLAN = ChannelShrinker.plan(VGG);
    private static final ShrinkPlan RESNET_PLAN = ChannelShrinker.plan(RESNET);

    // ---- building pruned models --------------------------------------------------------------------------------

    private static Model pruned(String architecture, Consumer<Map<String, Tensor>> kill) {
        Model decomposed = BasisDecomposer.decompose(Architectures.create(architecture, 21),
                DecompositionSettings.paper()).model();
        Map<String, Tensor> parameters = new HashMap<>(decomposed.parameters());
        randomiseBatchNorms(decomposed.network(), parameters);
        kill.accept(parameters);
        PruningOutcome outcome = Pruning.prune(new Model(decomposed.network(), parameters), "std-threshold",
                new StdThresholdStrategy(), Map.of());
        return assertInstanceOf(PruningOutcome.Pruned.class, outcome).result().model();
    }

    /** Trained-looking statistics, so that a dead filter's channel would be a non-zero constant after batch norm. */
    private static void randomiseBatchNorms(Network network, Map<String, Tensor> parameters) {
        SplittableRandom random = new SplittableRandom(5);
        for (Layer layer : network.layers()) {
            if (layer instanceof Layer.BatchNorm bn) {
                int c = bn.channels();
                parameters.put(bn.name() + ".gamma", fill(c, () -> (float) (0.5 + random.nextDouble())));
                parameters.put(bn.name() + ".beta", fill(c, () -> (float) (0.3 * random.nextGaussian())));
                parameters.put(bn.name() + ".running_mean", fill(c, () -> (float) (0.3 * random.nextGaussian())));
                parameters.put(bn.name() + ".running_var", fill(c, () -> (float) (0.5 + random.nextDouble())));
            }
        }
    }

    private interface FloatSource {
        float next();
    }

    private static Tensor fill(int n, FloatSource source) {
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = source.next();
        }
        return new Tensor(new int[] {n}, data);
    }

    /** Zeroes whole output channels: coefficients [N, C, d] or weights [N, C, k, k], one block per channel. */
    private static void zeroOutputs(Map<String, Tensor> parameters, String layer, int... channels) {
        String name = parameters.containsKey(layer + ".coefficients") ? layer + ".coefficients" : layer + ".weight";
        Tensor t = parameters.get(name);
        float[] data = t.data().clone();
        int per = data.length / t.shape()[0];
        for (int n : channels) {
            Arrays.fill(data, n * per, (n + 1) * per, 0f);
        }
        parameters.put(name, new Tensor(t.shape(), data));
    }

    /** Zeroes the coefficients [:, c, :] of input channels c. */
    private static void zeroInputs(Map<String, Tensor> parameters, String layer, int... channels) {
        Tensor t = parameters.get(layer + ".coefficients");
        float[] data = t.data().clone();
        int inputs = t.shape()[1];
        int d = t.shape()[2];
        for (int n = 0; n < t.shape()[0]; n++) {
            for (int c : channels) {
                Arrays.fill(data, (n * inputs + c) * d, (n * inputs + c + 1) * d, 0f);
            }
        }
        parameters.put(layer + ".coefficients", new Tensor(t.shape(), data));
    }

    /** Zeroes the coefficients [:, :, j] of basis j. */
    private static void zeroBasis(Map<String, Tensor> parameters, String layer, int j) {
        Tensor t = parameters.get(layer + ".coefficients");
        float[] data = t.data().clone();
        int d = t.shape()[2];
        for (int k = j; k < data.length; k += d) {
            data[k] = 0f;
        }
        parameters.put(layer + ".coefficients", new Tensor(t.shape(), data));
    }

    // ---- checking ----------------------------------------------------------------------------------------------

    private static double outputDifference(Model a, Model b) {
        ActivationShape input = NetworkShapes.input(a.network());
        SplittableRandom random = new SplittableRandom(8);
        float[] data = new float[3 * (int) input.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        Tensor images = new Tensor(new int[] {3, input.channels(), input.height(), input.width()}, data);
        float[] x = ReferenceForward.forward(a, images).data();
        float[] y = ReferenceForward.forward(b, images).data();
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs((double) x[i] - y[i]));
        }
        return max;
    }

    private static void assertSameOutputs(Model pruned, Model shrunk) {
        double difference = outputDifference(pruned, shrunk);
        assertTrue(difference <= 1e-4, "max abs diff " + difference);
    }

    /** Every all-zero output channel, input channel and basis of the decomposed layers, as "layer out|in|basis i". */
    private static Set<String> allZeroParts(Model model) {
        Set<String> parts = new TreeSet<>();
        for (Layer layer : model.network().layers()) {
            if (layer instanceof Layer.DecomposedConv2d l) {
                float[] c = model.parameters().get(l.name() + ".coefficients").data();
                int n = l.outChannels();
                int in = l.inChannels();
                int d = l.bases();
                for (int o = 0; o < n; o++) {
                    int out = o;
                    if (IntStream.range(0, in * d).allMatch(k -> c[out * in * d + k] == 0f)) {
                        parts.add(l.name() + " out " + o);
                    }
                }
                for (int i = 0; i < in; i++) {
                    int ch = i;
                    if (IntStream.range(0, n).allMatch(o -> IntStream.range(0, d)
                            .allMatch(j -> c[(o * in + ch) * d + j] == 0f))) {
                        parts.add(l.name() + " in " + i);
                    }
                }
                for (int j = 0; j < d; j++) {
                    int basis = j;
                    if (IntStream.range(0, n * in).allMatch(k -> c[k * d + basis] == 0f)) {
                        parts.add(l.name() + " basis " + j);
                    }
                }
            }
        }
        return parts;
    }

    private static List<Integer> without(int size, int... removed) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int index = i;
            if (Arrays.stream(removed).noneMatch(r -> r == index)) {
                kept.add(i);
            }
        }
        return kept;
    }

    private static LayerShrink plan(ShrinkPlan plan, String layer) {
        return plan.layer(layer).orElseThrow();
    }

    // ---- VGG -------------------------------------------------------------------------------------------------------

    @Test
    void shrunkVggGivesThePrunedVggsOutputs() {
        assertSameOutputs(VGG, VGG_PLAN.apply(VGG));
    }

    @Test
    void vggLosesDeadFiltersUnreadChannelsAndUnusedBasesThroughBatchNormAndIntoTheLinearLayer() {
        assertEquals(without(32, 3, 17), plan(VGG_PLAN, "conv2").outputs().kept());
        assertEquals(without(32, 3, 17), plan(VGG_PLAN, "bn2").outputs().kept());
        assertEquals(without(32, 3, 17), plan(VGG_PLAN, "conv3").inputs().kept());
        // conv4 no longer reads channel 5, so conv3 need not compute it
        assertEquals(without(64, 5), plan(VGG_PLAN, "conv3").outputs().kept());
        assertEquals(without(64, 5), plan(VGG_PLAN, "conv4").inputs().kept());
        assertEquals(without(5, 4), plan(VGG_PLAN, "conv5").bases().kept());
        assertEquals(without(128, 0, 100), plan(VGG_PLAN, "conv6").outputs().kept());
        // conv6 → pool (3×3) → flatten: each removed channel takes 9 columns of fc1 with it
        int[] columns = IntStream.concat(IntStream.range(0, 9), IntStream.range(900, 909)).toArray();
        assertEquals(without(1152, columns), plan(VGG_PLAN, "fc1").inputs().kept());
        assertTrue(plan(VGG_PLAN, "fc2").keepsAll());
    }

    @Test
    void shrunkVggHasNoAllZeroChannelOrBasis() {
        assertEquals(Set.of(), allZeroParts(VGG_PLAN.apply(VGG)));
        assertFalse(allZeroParts(VGG).isEmpty());
    }

    // ---- ResNet ----------------------------------------------------------------------------------------------------

    @Test
    void shrunkResnetGivesThePrunedResnetsOutputs() {
        assertSameOutputs(RESNET, RESNET_PLAN.apply(RESNET));
    }

    @Test
    void shrunkResnetKeepsExactlyTheAllZeroChannelsThatResidualJoinsForce() {
        Set<String> forced = new TreeSet<>(List.of("layer1.1.conv2 out 7", "layer2.1.conv1 in 4",
                "layer3.1.conv2 out 20"));
        // the std rule also kills some of the stem's filters (they have only 1·5 coefficients each); the stem
        // feeds stage 1's identity shortcuts, so its channels are on the residual stream and stay too
        allZeroParts(RESNET).stream().filter(p -> p.startsWith("conv1 out ")).forEach(forced::add);
        Set<String> expected = new TreeSet<>();
        for (String part : forced) {
            String[] words = part.split(" ");
            LayerShrink layer = plan(RESNET_PLAN, words[0]);
            int index = (words[1].equals("out") ? layer.outputs() : layer.inputs()).kept()
                    .indexOf(Integer.parseInt(words[2]));
            assertTrue(index >= 0, part + " was removed");
            expected.add(words[0] + " " + words[1] + " " + index);
        }
        assertEquals(expected, allZeroParts(RESNET_PLAN.apply(RESNET)));
    }

    @Test
    void aDeadFilterInsideABlockIsRemovedWithItsBatchNormAndTheNextConvolutionsInput() {
        assertEquals(without(16, 2), plan(RESNET_PLAN, "layer1.0.conv1").outputs().kept());
        assertEquals(without(16, 2), plan(RESNET_PLAN, "layer1.0.bn1").outputs().kept());
        assertEquals(without(16, 2), plan(RESNET_PLAN, "layer1.0.conv2").inputs().kept());
        assertTrue(plan(RESNET_PLAN, "layer1.0.conv2").outputs().keepsAll());
    }

    @Test
    void aResidualChannelDeadOnEveryBranchIsRemovedFromEveryLayerOfTheStream() {
        for (String layer : List.of("layer2.0.conv2", "layer2.0.bn2", "layer2.0.downsample.0",
                "layer2.0.downsample.1", "layer2.1.conv2", "layer2.1.bn2")) {
            assertEquals(without(32, 9), plan(RESNET_PLAN, layer).outputs().kept(), layer);
        }
        for (String layer : List.of("layer2.1.conv1", "layer3.0.conv1", "layer3.0.downsample.0")) {
            assertEquals(without(32, 9), plan(RESNET_PLAN, layer).inputs().kept(), layer);
        }
        assertEquals(without(64, 11), plan(RESNET_PLAN, "layer3.1.conv2").outputs().kept());
        assertEquals(without(64, 11), plan(RESNET_PLAN, "fc").inputs().kept());
    }

    // ---- both --------------------------------------------------------------------------------------------------

    @Test
    void shrunkModelsHaveFewerParametersAndMacs() {
        for (Model model : List.of(VGG, RESNET)) {
            ModelCount before = ModelCounter.count(model);
            ModelCount after = ModelCounter.count(ChannelShrinker.shrink(model));
            assertTrue(after.params() < before.params(), after.params() + " params of " + before.params());
            assertTrue(after.macs() < before.macs(), after.macs() + " MACs of " + before.macs());
        }
    }

    @Test
    void thePlanRoundTripsThroughJson() {
        for (ShrinkPlan plan : List.of(VGG_PLAN, RESNET_PLAN)) {
            byte[] json = plan.toJson().getBytes(StandardCharsets.UTF_8);
            assertEquals(plan, ShrinkPlan.fromJson(json, "plan.json"));
        }
    }

    @Test
    void shrinkingAShrunkModelChangesNothing() {
        for (Model model : List.of(VGG, RESNET)) {
            Model shrunk = ChannelShrinker.shrink(model);
            ShrinkPlan again = ChannelShrinker.plan(shrunk);
            assertTrue(again.keepsAll(), again.layers().stream().filter(l -> !l.keepsAll()).toList().toString());
            assertEquals(shrunk, again.apply(shrunk));
        }
    }

    @Test
    void aPlanDoesNotApplyToAModelOfOtherShapes() {
        ModelException e = assertThrows(ModelException.class, () -> VGG_PLAN.apply(RESNET));
        assertEquals("shrink plan: layer conv1: it has 16 output entries, the plan was made for 32", e.getMessage());
    }

    @Test
    void aPlanFileThatIsNotAPlanIsRefusedInOneLine() {
        ModelException e = assertThrows(ModelException.class,
                () -> ShrinkPlan.fromJson("{\"format\": \"penni-model\"}".getBytes(StandardCharsets.UTF_8), "x.json"));
        assertEquals("x.json: not a shrink plan (it needs \"format\": \"penni-shrink-plan\")", e.getMessage());
        String broken = VGG_PLAN.toJson().replace("\"kept\":[0,1,2", "\"kept\":[1,0,2");
        e = assertThrows(ModelException.class,
                () -> ShrinkPlan.fromJson(broken.getBytes(StandardCharsets.UTF_8), "plan.json"));
        assertTrue(e.getMessage().startsWith("plan.json: layer conv1: kept indices must be ascending"),
                e.getMessage());
    }

    // ---- constants -------------------------------------------------------------------------------------------------

    /** A conv → BN → ReLU → conv chain whose first convolution has a dead filter 1 but intact batch norm. */
    private static Model deadFilterBeforeBatchNorm(float beta) {
        Network network = new Network("chain", List.of(new Layer.Input("input", 2, 6, 6),
                new Layer.DecomposedConv2d("a", "input", 3, 2, 3, 1, 1, 4, false),
                new Layer.BatchNorm("bn", "a", 3, 1e-5, 0.1), new Layer.Relu("relu", "bn"),
                new Layer.DecomposedConv2d("b", "relu", 2, 3, 3, 1, 1, 4, false)), "b");
        Map<String, Tensor> parameters = new HashMap<>(Architectures.initialise(network, 6).parameters());
        zeroOutputs(parameters, "a", 1);
        parameters.put("bn.beta", new Tensor(new int[] {3}, new float[] {0.2f, beta, -0.1f}));
        return new Model(network, parameters);
    }

    @Test
    void aDeadFilterWhoseBatchNormGivesAPositiveConstantIsKept() {
        Model model = deadFilterBeforeBatchNorm(0.5f);
        ShrinkPlan plan = ChannelShrinker.plan(model);
        assertTrue(plan.keepsAll(), plan.toString());
    }

    @Test
    void aDeadFilterThatReluTurnsIntoZeroIsRemoved() {
        Model model = deadFilterBeforeBatchNorm(-0.5f);
        ShrinkPlan plan = ChannelShrinker.plan(model);
        assertEquals(List.of(0, 2), plan(plan, "a").outputs().kept());
        assertEquals(List.of(0, 2), plan(plan, "b").inputs().kept());
        assertTrue(outputDifference(model, plan.apply(model)) <= 1e-6);
    }

    // ---- a graph that is neither VGG nor ResNet -------------------------------------------------------------------

    @Test
    void aBranchyGraphShrinksExactly() {
        Network network = new Network("branchy", List.of(new Layer.Input("input", 3, 8, 8),
                new Layer.DecomposedConv2d("a", "input", 8, 3, 3, 1, 1, 5, false),
                new Layer.BatchNorm("a_bn", "a", 8, 1e-5, 0.1), new Layer.Relu("a_relu", "a_bn"),
                new Layer.DecomposedConv2d("b1", "a_relu", 6, 8, 3, 1, 1, 5, false),
                new Layer.Conv2d("b2", "a_relu", 6, 8, 1, 1, 0, 1, false),
                new Layer.Add("join", List.of("b1", "b2")), new Layer.Relu("join_relu", "join"),
                new Layer.Pool("pool", "join_relu", Layer.PoolKind.MAX, 2, 2, 0),
                new Layer.DecomposedConv2d("c", "pool", 4, 6, 3, 1, 1, 5, true),
                new Layer.Flatten("flat", "c"), new Layer.Dropout("drop", "flat", 0.5),
                new Layer.Linear("fc", "drop", 3, 64, true)), "fc");
        Map<String, Tensor> parameters = new HashMap<>(Architectures.initialise(network, 12).parameters());
        randomiseBatchNorms(network, parameters);
        zeroOutputs(parameters, "a", 1);     // dead filter read by both branches
        zeroInputs(parameters, "b1", 5);     // only b1 ignores a's channel 5; b2 still reads it
        zeroOutputs(parameters, "b1", 2);    // channel 2 is dead on both branches of the join
        zeroOutputs(parameters, "b2", 2);
        zeroOutputs(parameters, "c", 3);     // a dead filter with a bias, before flatten → linear
        Model model = assertInstanceOf(PruningOutcome.Pruned.class, Pruning.prune(new Model(network, parameters),
                "std-threshold", new StdThresholdStrategy(), Map.of("s", "0"))).result().model();

        ShrinkPlan plan = ChannelShrinker.plan(model);
        assertEquals(without(8, 1), plan(plan, "a").outputs().kept());
        assertEquals(without(8, 1), plan(plan, "b1").inputs().kept());
        assertEquals(without(8, 1), plan(plan, "b2").inputs().kept());
        assertEquals(without(6, 2), plan(plan, "b1").outputs().kept());
        assertEquals(without(6, 2), plan(plan, "b2").outputs().kept());
        assertEquals(without(6, 2), plan(plan, "c").inputs().kept());
        assertEquals(without(4, 3), plan(plan, "c").outputs().kept());
        assertEquals(without(64, IntStream.range(48, 64).toArray()), plan(plan, "fc").inputs().kept());
        assertSameOutputs(model, plan.apply(model));
    }

    @Test
    void aModelWithPrunedFullyConnectedLayersShrinksToTheSameOutputsAndRoundTripsThroughSafetensors(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path folder) {
        Model decomposed = BasisDecomposer.decompose(Architectures.create("vgg-small", 21),
                DecompositionSettings.paper()).model();
        Map<String, Tensor> parameters = new HashMap<>(decomposed.parameters());
        randomiseBatchNorms(decomposed.network(), parameters);
        PruningOutcome outcome = Pruning.prune(new Model(decomposed.network(), parameters), "std-threshold",
                new StdThresholdStrategy(), Map.of("s", "1.5"), io.penni.pruner.ParameterMasks.none(), true);
        io.penni.pruner.PruneResult result = assertInstanceOf(PruningOutcome.Pruned.class, outcome).result();
        Model pruned = result.model();
        List<Layer.Linear> linear = pruned.network().layers().stream().filter(Layer.Linear.class::isInstance)
                .map(Layer.Linear.class::cast).toList();
        Layer.Linear first = linear.get(0);
        float[] weights = pruned.parameters().get(first.name() + ".weight").data();
        long zeros = 0;
        for (float w : weights) {
            zeros += w == 0f ? 1 : 0;
        }
        assertTrue(zeros > weights.length / 2, "the first FC layer is mostly pruned: " + zeros + " of " + weights.length);
        Model shrunk = ChannelShrinker.shrink(pruned);
        assertSameOutputs(pruned, shrunk);
        ModelCount dense = ModelCounter.count(pruned.network());
        ModelCount after = ModelCounter.count(shrunk);
        assertTrue(after.params() < dense.params() - zeros / 2,
                "all parameters count the FC zeros: " + dense.params() + " -> " + after.params());
        java.nio.file.Path file = folder.resolve("model.json");
        io.penni.model.ModelFiles.save(shrunk, file);
        Model loaded = io.penni.model.ModelFiles.load(file);
        assertEquals(0.0, outputDifference(shrunk, loaded), "safetensors keep the zeros exactly");
    }
}
