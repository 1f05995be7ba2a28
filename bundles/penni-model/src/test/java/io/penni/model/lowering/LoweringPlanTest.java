package io.penni.model.lowering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.penni.api.model.Layer;
import io.penni.api.model.Network;
import io.penni.model.Architectures;
import io.penni.model.lowering.LoweringPlan.Fusion;
import io.penni.model.lowering.LoweringPlan.Step;

/** Which layers fuse into which step, which are views, and how the steps' outputs share buffer slots. */
class LoweringPlanTest {

    private static List<String> fusions(Step step) {
        return step.fused().stream().map(f -> f.fusion() + ":" + f.layer().name()).toList();
    }

    @Test
    void vggFusesBatchNormReluAndPoolingIntoEachConvolution() {
        LoweringPlan plan = LoweringPlan.of(Architectures.network("vgg-small"));
        List<String> layers = plan.steps().stream().map(s -> s.layer().name()).toList();
        assertEquals(List.of("input", "conv1", "conv2", "conv3", "conv4", "conv5", "conv6", "fc1", "fc2"), layers);
        assertEquals(List.of("BATCH_NORM:bn1", "RELU:relu1"), fusions(plan.steps().get(1)));
        assertEquals(List.of("BATCH_NORM:bn2", "RELU:relu2", "POOL:pool1"), fusions(plan.steps().get(2)));
        assertEquals("pool1", plan.steps().get(2).output());
        assertEquals(List.of("RELU:relu_fc1"), fusions(plan.steps().get(7)));
        assertEquals("fc2", plan.output().output());
    }

    @Test
    void flattenIsAViewSoTheLinearLayerReadsThePooledConvolution() {
        LoweringPlan plan = LoweringPlan.of(Architectures.network("vgg-small"));
        Step fc1 = plan.steps().get(7);
        assertEquals(List.of("pool3"), fc1.inputs());
        assertTrue(plan.steps().stream().noneMatch(s -> s.layer() instanceof Layer.Flatten
                || s.fused().stream().anyMatch(f -> f.layer() instanceof Layer.Flatten)));
    }

    @Test
    void aPooledConvolutionNeverHoldsItsFullSizeOutput() {
        int[] slots = LoweringPlan.of(Architectures.network("vgg-small")).slotSizes();
        Arrays.sort(slots);
        assertArrayEquals(new int[] {32 * 14 * 14, 32 * 28 * 28}, slots);
    }

    @Test
    void withoutThePoolingFusionEachPoolingIsAStepOfItsOwn() {
        LoweringPlan plan = LoweringPlan.of(Architectures.network("vgg-small"),
                EnumSet.of(Fusion.BATCH_NORM, Fusion.RELU, Fusion.ADD));
        Step conv2 = plan.steps().get(2);
        assertEquals(List.of("BATCH_NORM:bn2", "RELU:relu2"), fusions(conv2));
        Step pool1 = plan.steps().get(3);
        assertTrue(pool1.layer() instanceof Layer.Pool);
        assertEquals(List.of("relu2"), pool1.inputs());
    }

    @Test
    void withNoFusionEveryLayerButTheViewsIsAStep() {
        Network network = Architectures.network("resnet-small");
        LoweringPlan plan = LoweringPlan.of(network, EnumSet.noneOf(Fusion.class));
        long views = network.layers().stream().filter(l -> l instanceof Layer.Flatten || l instanceof Layer.Dropout)
                .count();
        assertEquals(network.layers().size() - views, plan.steps().size());
        assertTrue(plan.steps().stream().allMatch(s -> s.fused().isEmpty() && s.residual().isEmpty()));
    }

    @Test
    void aResidualAddFusesIntoTheLaterInputAndWritesOverItsShortcut() {
        LoweringPlan plan = LoweringPlan.of(Architectures.network("resnet-small"));
        Map<String, Step> byLayer = plan.steps().stream()
                .collect(Collectors.toMap(s -> s.layer().name(), Function.identity()));
        Step identityJoin = byLayer.get("layer1.0.conv2");
        assertEquals(List.of("BATCH_NORM:layer1.0.bn2", "ADD:layer1.0.add", "RELU:layer1.0.relu2"),
                fusions(identityJoin));
        assertEquals("relu", identityJoin.residual().orElseThrow());
        Step shortcut = byOutput(plan, "relu");
        assertEquals(identityJoin.index(), shortcut.lastReader());
        assertEquals(shortcut.slot(), identityJoin.slot());
        // a downsampling block: the 1×1 shortcut convolution runs later, so the add joins it
        Step downsample = byLayer.get("layer2.0.downsample.0");
        assertEquals("layer2.0.bn2", downsample.residual().orElseThrow());
        assertEquals(byOutput(plan, "layer2.0.bn2").slot(), downsample.slot());
    }

    @Test
    void aResnetBlockHoldsTwoActivationsNotThree() {
        int[] slots = LoweringPlan.of(Architectures.network("resnet-small")).slotSizes();
        Arrays.sort(slots);
        assertArrayEquals(new int[] {32 * 14 * 14, 16 * 28 * 28, 16 * 28 * 28}, slots);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vgg-small", "resnet-small"})
    void noValueIsOverwrittenBeforeItsLastReaderRuns(String architecture) {
        LoweringPlan plan = LoweringPlan.of(Architectures.network(architecture));
        List<Step> steps = plan.steps();
        int[] sizes = plan.slotSizes();
        for (Step later : steps) {
            if (later.input()) {
                continue;
            }
            assertTrue(sizes[later.slot()] >= later.outputShape().size(), later.output() + " fits its slot");
            for (Step earlier : steps.subList(0, later.index())) {
                if (earlier.slot() != later.slot()) {
                    continue;
                }
                boolean inPlace = later.residual().filter(earlier.output()::equals).isPresent()
                        && earlier.lastReader() == later.index();
                assertTrue(earlier.lastReader() < later.index() || inPlace,
                        later.output() + " overwrites " + earlier.output() + ", read until step "
                                + earlier.lastReader());
            }
        }
        assertEquals(steps.size(), plan.output().lastReader());
    }

    @Test
    void theNetworksOutputIsNeverFusedAway() {
        Network network = new Network("head", List.of(
                new Layer.Input("input", 2, 4, 4),
                new Layer.Conv2d("conv", "input", 3, 2, 3, 1, 1, 1, true),
                new Layer.Relu("relu", "conv")), "conv");
        LoweringPlan plan = LoweringPlan.of(network);
        assertEquals("conv", plan.output().output());
        assertFalse(plan.output().relu());
        assertEquals(3, plan.steps().size());
    }

    private static Step byOutput(LoweringPlan plan, String value) {
        return plan.steps().stream().filter(s -> s.output().equals(value)).findFirst().orElseThrow();
    }
}
