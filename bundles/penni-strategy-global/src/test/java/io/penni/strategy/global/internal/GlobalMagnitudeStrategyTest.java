package io.penni.strategy.global.internal;

import static io.penni.strategy.testing.StrategyFixtures.all;
import static io.penni.strategy.testing.StrategyFixtures.assertMasksFit;
import static io.penni.strategy.testing.StrategyFixtures.assertPreviousZerosStayZero;
import static io.penni.strategy.testing.StrategyFixtures.coefficients;
import static io.penni.strategy.testing.StrategyFixtures.config;
import static io.penni.strategy.testing.StrategyFixtures.gaussian;
import static io.penni.strategy.testing.StrategyFixtures.kept;
import static io.penni.strategy.testing.StrategyFixtures.keptBefore;
import static io.penni.strategy.testing.StrategyFixtures.masks;
import static io.penni.strategy.testing.StrategyFixtures.randomMask;
import static io.penni.strategy.testing.StrategyFixtures.refusal;
import static io.penni.strategy.testing.StrategyFixtures.rounded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.TensorMask;

class GlobalMagnitudeStrategyTest {

    private static final GlobalMagnitudeStrategy STRATEGY = new GlobalMagnitudeStrategy();

    /** Three layers of different sizes and spreads, some values pruned before. */
    private static List<PrunableTensor> network() {
        float[] wide = gaussian(4 * 3 * 5, 1);
        for (int i = 0; i < wide.length; i++) {
            wide[i] *= 10; // a layer of large values: global pruning should spare it
        }
        return List.of(coefficients("conv1", 0, gaussian(2 * 1 * 5, 2), all(10), 2, 1, 5),
                coefficients("conv2", 1, wide, randomMask(60, 3, 0.8), 4, 3, 5),
                coefficients("conv3", 2, gaussian(3 * 4 * 5, 4), randomMask(60, 5, 0.6), 3, 4, 5));
    }

    @Test
    void prunesExactlyTheRoundedAmountOfTheValuesKeptBefore() {
        List<PrunableTensor> tensors = network();
        int before = keptBefore(tensors);
        for (String amount : List.of("0", "0.1", "0.25", "0.5", "0.9", "0.999")) {
            List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", amount)));
            assertEquals(before - rounded(amount, before), kept(masks), "amount " + amount + " of " + before);
        }
    }

    @Test
    void aHalfValueIsRoundedUp() {
        // 5 kept values, amount 0.5: 2.5 rounds to 3 pruned
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, new float[] {5, 4, 3, 2, 1}, all(5), 1, 1, 5));
        assertArrayEquals(new boolean[] {true, true, false, false, false},
                masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.5"))).get(0).keep());
    }

    @Test
    void theSmallestMagnitudesGoFirstAcrossLayers() {
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, new float[] {-0.1f, 3f}, all(2), 1, 1, 2),
                coefficients("b", 1, new float[] {2f, 0.2f}, all(2), 1, 1, 2));
        List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.5")));
        assertArrayEquals(new boolean[] {false, true}, masks.get(0).keep());
        assertArrayEquals(new boolean[] {true, false}, masks.get(1).keep());
    }

    @Test
    void previousZerosStayZeroAndDoNotCountAsKept() {
        // the two pruned values are the smallest; they must not be "pruned again" in place of others
        float[] values = {0.01f, 0.02f, 1f, 2f, 3f, 4f};
        boolean[] previous = {false, false, true, true, true, true};
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, values, previous, 1, 1, 6));
        List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.5")));
        assertArrayEquals(new boolean[] {false, false, false, false, true, true}, masks.get(0).keep());
        assertPreviousZerosStayZero(tensors, masks);
    }

    @Test
    void eachMaskHasItsTensorsShapeAndLayer() {
        List<PrunableTensor> tensors = network();
        assertMasksFit(tensors, masks(STRATEGY.computeMask(tensors, Map.of())));
    }

    @Test
    void tiesGoToTheValueFirstInNetworkOrder() {
        float[] same = {1f, -1f, 1f, -1f};
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, same.clone(), all(4), 1, 1, 4),
                coefficients("b", 1, same.clone(), all(4), 1, 1, 4));
        List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.75")));
        assertArrayEquals(new boolean[] {false, false, false, false}, masks.get(0).keep());
        assertArrayEquals(new boolean[] {false, false, true, true}, masks.get(1).keep());
        assertEquals(masks, masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.75"))), "same input, same masks");
    }

    @Test
    void theConfiguredAmountIsTheDefaultAndAJobOverridesIt() {
        GlobalMagnitudeStrategy strategy = new GlobalMagnitudeStrategy();
        strategy.configure(config(GlobalMagnitudeStrategy.Config.class, Map.of("amount", 0.2)));
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, gaussian(100, 6), all(100), 4, 5, 5));
        assertEquals(80, kept(masks(strategy.computeMask(tensors, Map.of()))));
        assertEquals(30, kept(masks(strategy.computeMask(tensors, Map.of("amount", "0.7")))));
        assertEquals(Map.of("amount", "0.2"), strategy.parameters());
    }

    @Test
    void anAmountOutsideZeroToOneOrNotANumberIsRefusedNamingIt() {
        for (String bad : List.of("1", "1.5", "-0.1", "NaN", "half", "", "40")) {
            String reason = refusal(STRATEGY.computeMask(network(), Map.of("amount", bad)));
            assertEquals("strategy global-magnitude: parameter 'amount' must be a fraction in [0, 1) "
                    + "(counts are not accepted), was '" + bad + "'", reason);
        }
    }

    @Test
    void anUnknownParameterIsRefusedNamingIt() {
        assertEquals("strategy global-magnitude: unknown parameter 's'; it takes only 'amount'",
                STRATEGY.checkParameters(Map.of("s", "1")).orElseThrow());
    }

    @Test
    void aConfiguredAmountOfOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GlobalMagnitudeStrategy().configure(config(GlobalMagnitudeStrategy.Config.class,
                        Map.of("amount", 1.0))));
        assertTrue(e.getMessage().startsWith("penni.strategy.global: amount must be a fraction in [0, 1)"),
                e.getMessage());
    }
}
