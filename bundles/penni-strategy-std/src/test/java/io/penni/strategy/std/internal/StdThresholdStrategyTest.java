package io.penni.strategy.std.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.penni.strategy.testing.StrategyFixtures.all;
import static io.penni.strategy.testing.StrategyFixtures.config;
import static io.penni.strategy.testing.StrategyFixtures.gaussian;
import static io.penni.strategy.testing.StrategyFixtures.kept;
import static io.penni.strategy.testing.StrategyFixtures.masks;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.penni.api.prune.MaskOutcome;
import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.TensorKind;
import io.penni.api.prune.TensorMask;

class StdThresholdStrategyTest {

    private static PrunableTensor tensor(String layer, float[] values, boolean[] previous, int... shape) {
        return new PrunableTensor(layer, TensorKind.COEFFICIENTS, 0, shape, values, previous, new float[] {1f});
    }

    private static StdThresholdStrategy configured(double s) {
        StdThresholdStrategy strategy = new StdThresholdStrategy();
        strategy.configure(config(StdThresholdStrategy.Config.class, Map.of("s", s)));
        return strategy;
    }

    @Test
    void eachMaskHasOneEntryPerValueOfItsTensorInOrder() {
        List<PrunableTensor> tensors = List.of(tensor("a", gaussian(24, 1), all(24), 2, 3, 4),
                tensor("b", gaussian(10, 2), all(10), 10));
        List<TensorMask> masks = masks(new StdThresholdStrategy().computeMask(tensors, Map.of()));
        assertEquals(2, masks.size());
        assertEquals("a", masks.get(0).layer());
        assertEquals(24, masks.get(0).keep().length);
        assertEquals("b", masks.get(1).layer());
        assertEquals(10, masks.get(1).keep().length);
    }

    @Test
    void valuesPrunedBeforeStayPrunedHoweverLargeTheyAre() {
        float[] values = {100f, -100f, 0.1f, 50f};
        boolean[] previous = {false, true, true, false};
        boolean[] keep = masks(new StdThresholdStrategy().computeMask(List.of(tensor("a", values, previous, 4)),
                Map.of())).get(0).keep();
        assertArrayEquals(new boolean[] {false, true, false, false}, keep);
    }

    @Test
    void prunesExactlyTheValuesBelowSTimesThePopulationStdOfTheTensor() {
        // mean 1.14, population std sqrt(12.392 / 5) = 1.5743; the sample std (1.7601) would prune 1.7 as well
        float[] values = {0f, 0f, 0f, 4f, 1.7f};
        boolean[] keep = masks(configured(1.0).computeMask(List.of(tensor("a", values, all(5), 5)), Map.of()))
                .get(0).keep();
        assertArrayEquals(new boolean[] {false, false, false, true, true}, keep);
    }

    @Test
    void aValueExactlyAtTheThresholdIsKept() {
        // std of ±1 is exactly 1, so with s = 1 every |c| equals the threshold
        float[] values = {1f, -1f, 1f, -1f};
        boolean[] keep = masks(configured(1.0).computeMask(List.of(tensor("a", values, all(4), 4)), Map.of()))
                .get(0).keep();
        assertArrayEquals(all(4), keep);
    }

    @Test
    void theThresholdIsTakenPerTensor() {
        // the same values prune differently beside a tensor of much larger spread: each uses its own std
        float[] small = {0.1f, 0.2f, -0.3f, 0.05f};
        float[] large = {10f, -20f, 30f, 5f};
        List<TensorMask> masks = masks(configured(1.0).computeMask(
                List.of(tensor("small", small, all(4), 4), tensor("large", large, all(4), 4)), Map.of()));
        assertArrayEquals(new boolean[] {false, true, true, false}, masks.get(0).keep());
        assertArrayEquals(new boolean[] {false, true, true, false}, masks.get(1).keep());
    }

    @Test
    void sZeroKeepsEverythingThatWasKept() {
        float[] values = gaussian(50, 3);
        values[7] = 0f;
        boolean[] previous = all(50);
        previous[3] = false;
        boolean[] keep = masks(new StdThresholdStrategy().computeMask(List.of(tensor("a", values, previous, 50)),
                Map.of("s", "0"))).get(0).keep();
        assertArrayEquals(previous, keep);
    }

    @Test
    void aJobsParameterOverridesTheConfiguredS() {
        float[] values = gaussian(1000, 4);
        StdThresholdStrategy strategy = configured(0.5);
        int configured = kept(masks(strategy.computeMask(List.of(tensor("a", values, all(1000), 1000)), Map.of())).get(0).keep());
        int overridden = kept(masks(strategy.computeMask(List.of(tensor("a", values, all(1000), 1000)),
                Map.of("s", "2"))).get(0).keep());
        // a normal sample keeps about 62% above 0.5 std and about 5% above 2 std
        assertTrue(configured > 550 && configured < 690, "kept " + configured);
        assertTrue(overridden > 20 && overridden < 80, "kept " + overridden);
        assertEquals(Map.of("s", "0.5"), strategy.parameters());
    }

    @Test
    void anInvalidSIsRefusedNamingTheParameter() {
        for (String bad : List.of("-1", "abc", "NaN", "Infinity", "")) {
            MaskOutcome outcome = new StdThresholdStrategy().computeMask(
                    List.of(tensor("a", gaussian(4, 5), all(4), 4)), Map.of("s", bad));
            String reason = assertInstanceOf(MaskOutcome.Invalid.class, outcome).reason();
            assertTrue(reason.contains("parameter 's'") && reason.contains("'" + bad + "'"), reason);
        }
    }

    @Test
    void anUnknownParameterIsRefusedNamingIt() {
        Optional<String> problem = new StdThresholdStrategy().checkParameters(Map.of("amount", "0.5"));
        assertTrue(problem.orElseThrow().contains("'amount'"), problem.orElseThrow());
    }

    @Test
    void aConfigurationWithANegativeSIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> configured(-0.5));
        assertTrue(e.getMessage().contains("penni.strategy.std: s must be"), e.getMessage());
    }
}
