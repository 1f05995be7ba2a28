package io.penni.strategy.protect.internal;

import static io.penni.strategy.testing.StrategyFixtures.all;
import static io.penni.strategy.testing.StrategyFixtures.assertMasksFit;
import static io.penni.strategy.testing.StrategyFixtures.assertPreviousZerosStayZero;
import static io.penni.strategy.testing.StrategyFixtures.coefficients;
import static io.penni.strategy.testing.StrategyFixtures.config;
import static io.penni.strategy.testing.StrategyFixtures.gaussian;
import static io.penni.strategy.testing.StrategyFixtures.kept;
import static io.penni.strategy.testing.StrategyFixtures.masks;
import static io.penni.strategy.testing.StrategyFixtures.randomMask;
import static io.penni.strategy.testing.StrategyFixtures.refusal;
import static io.penni.strategy.testing.StrategyFixtures.rounded;
import static io.penni.strategy.testing.StrategyFixtures.weighted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.TensorKind;
import io.penni.api.prune.TensorMask;

class ProtectCriticalStrategyTest {

    private static final ProtectCriticalStrategy STRATEGY = new ProtectCriticalStrategy();

    /** A first layer, a narrow layer (4 outputs) and two wide ones (16 outputs), some values pruned before. */
    private static List<PrunableTensor> network() {
        return List.of(coefficients("conv1", 0, gaussian(16 * 1 * 3, 1), all(48), 16, 1, 3),
                coefficients("narrow", 1, gaussian(4 * 16 * 3, 2), all(192), 4, 16, 3),
                coefficients("wide1", 2, gaussian(16 * 4 * 3, 3), randomMask(192, 4, 0.8), 16, 4, 3),
                coefficients("wide2", 3, gaussian(16 * 2 * 3, 5), all(96), 16, 2, 3));
    }

    @Test
    void theUnprotectedLayersLoseExactlyTheRoundedAmountOfTheirKeptValues() {
        List<PrunableTensor> tensors = network();
        int before = tensors.get(2).kept() + tensors.get(3).kept();
        for (String amount : List.of("0.1", "0.5", "0.77")) {
            List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", amount)));
            assertEquals(before - rounded(amount, before), kept(masks.get(2).keep()) + kept(masks.get(3).keep()),
                    "amount " + amount);
        }
    }

    @Test
    void theFirstLayerIsNeverPruned() {
        List<TensorMask> masks = masks(STRATEGY.computeMask(network(), Map.of("amount", "0.9", "min.width", "0")));
        assertEquals(48, kept(masks.get(0).keep()));
    }

    @Test
    void theFirstLayerIsPrunedWhenItsProtectionIsOff() {
        List<TensorMask> masks = masks(STRATEGY.computeMask(network().subList(0, 1), Map.of("amount", "0.9",
                "min.width", "0", "protect.first", "false")));
        assertEquals(48 - rounded("0.9", 48), kept(masks.get(0).keep()));
    }

    @Test
    void layersNarrowerThanTheMinimumWidthAreNeverPruned() {
        List<TensorMask> masks = masks(STRATEGY.computeMask(network(), Map.of("amount", "0.9")));
        assertEquals(192, kept(masks.get(1).keep()));
        List<TensorMask> lower = masks(STRATEGY.computeMask(network(), Map.of("amount", "0.9", "min.width", "4")));
        assertTrue(kept(lower.get(1).keep()) < 192, "with min.width 4 a 4-wide layer is prunable");
    }

    @Test
    void aCoefficientIsScoredByItsMagnitudeTimesItsBasisNorm() {
        // d = 2: basis 0 has norm 10, basis 1 norm 0.1; |c| alone would prune the 0.5s, the scores prune the 3s
        float[] values = {0.5f, 3f, 0.5f, 3f};
        List<PrunableTensor> tensors = List.of(coefficients("first", 0, new float[] {1f}, all(1), 1, 1, 1),
                weighted("conv", 1, values, new float[] {10f, 0.1f}, 2, 1, 2));
        List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.5", "min.width", "0")));
        assertArrayEquals(new boolean[] {true, false, true, false}, masks.get(1).keep());
    }

    @Test
    void aOneByOneWeightIsScoredByItsMagnitude() {
        PrunableTensor pointwise = new PrunableTensor("pw", TensorKind.CONV_WEIGHT, 1, new int[] {2, 2, 1, 1},
                new float[] {4f, -1f, 0.5f, -3f}, all(4), new float[0]);
        List<PrunableTensor> tensors = List.of(coefficients("first", 0, new float[] {1f}, all(1), 1, 1, 1), pointwise);
        List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.5", "min.width", "0")));
        assertArrayEquals(new boolean[] {true, false, false, true}, masks.get(1).keep());
    }

    @Test
    void previousZerosStayZero() {
        List<PrunableTensor> tensors = network();
        assertPreviousZerosStayZero(tensors, masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.3"))));
    }

    @Test
    void eachMaskHasItsTensorsShapeAndLayer() {
        assertMasksFit(network(), masks(STRATEGY.computeMask(network(), Map.of())));
    }

    @Test
    void tiesGoToTheValueFirstInNetworkOrder() {
        List<PrunableTensor> tensors = List.of(coefficients("first", 0, new float[] {1f}, all(1), 1, 1, 1),
                coefficients("a", 1, new float[] {1f, -1f}, all(2), 1, 1, 2),
                coefficients("b", 2, new float[] {-1f, 1f}, all(2), 1, 1, 2));
        List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.75", "min.width", "0")));
        assertArrayEquals(new boolean[] {false, false}, masks.get(1).keep());
        assertArrayEquals(new boolean[] {false, true}, masks.get(2).keep());
    }

    @Test
    void theConfigurationGivesTheDefaults() {
        ProtectCriticalStrategy strategy = new ProtectCriticalStrategy();
        strategy.configure(config(ProtectCriticalStrategy.Config.class, Map.of("amount", 0.25, "min_width", 2)));
        assertEquals(Map.of("amount", "0.25", "min.width", "2", "protect.first", "true"), strategy.parameters());
        List<TensorMask> masks = masks(strategy.computeMask(network(), Map.of()));
        int before = 192 + network().get(2).kept() + 96;
        assertEquals(before - rounded("0.25", before), kept(masks.get(1).keep()) + kept(masks.get(2).keep())
                + kept(masks.get(3).keep()));
    }

    @Test
    void invalidParametersAreRefusedNamingThem() {
        assertEquals("strategy protect-critical: parameter 'amount' must be a fraction in [0, 1) (counts are not "
                + "accepted), was '1.0'", refusal(STRATEGY.computeMask(network(), Map.of("amount", "1.0"))));
        assertEquals("strategy protect-critical: parameter 'min.width' must be an integer >= 0, was '-3'",
                refusal(STRATEGY.computeMask(network(), Map.of("min.width", "-3"))));
        assertEquals("strategy protect-critical: parameter 'protect.first' must be true or false, was 'yes'",
                refusal(STRATEGY.computeMask(network(), Map.of("protect.first", "yes"))));
    }

    @Test
    void anUnknownParameterIsRefusedNamingIt() {
        assertEquals("strategy protect-critical: unknown parameter 'minWidth'; it takes 'amount', 'min.width' and "
                + "'protect.first'", STRATEGY.checkParameters(Map.of("minWidth", "3")).orElseThrow());
    }

    @Test
    void aConfigurationWithANegativeWidthIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProtectCriticalStrategy()
                .configure(config(ProtectCriticalStrategy.Config.class, Map.of("min_width", -1))));
        assertEquals("penni.strategy.protect: min.width must be an integer >= 0, was -1", e.getMessage());
    }
}
