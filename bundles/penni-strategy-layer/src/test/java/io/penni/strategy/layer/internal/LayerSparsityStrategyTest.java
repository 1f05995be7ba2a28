package io.penni.strategy.layer.internal;

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
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.TensorKind;
import io.penni.api.prune.TensorMask;

class LayerSparsityStrategyTest {

    private static final LayerSparsityStrategy STRATEGY = new LayerSparsityStrategy();

    private static List<PrunableTensor> network() {
        float[] large = gaussian(60, 2);
        for (int i = 0; i < large.length; i++) {
            large[i] *= 100; // a layer of large values still loses its share
        }
        return List.of(coefficients("conv1", 0, gaussian(40, 1), all(40), 2, 4, 5),
                coefficients("conv2", 1, large, randomMask(60, 3, 0.7), 3, 4, 5),
                coefficients("conv3", 2, gaussian(45, 4), randomMask(45, 5, 0.9), 3, 3, 5));
    }

    @Test
    void everyLayerLosesExactlyTheRoundedFractionOfItsKeptValues() {
        List<PrunableTensor> tensors = network();
        List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.3")));
        for (int t = 0; t < tensors.size(); t++) {
            int before = tensors.get(t).kept();
            assertEquals(before - rounded("0.3", before), kept(masks.get(t).keep()), tensors.get(t).layer());
        }
    }

    @Test
    void aLayerOverrideGivesThatLayerItsOwnFraction() {
        List<PrunableTensor> tensors = network();
        List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.5", "layer.conv1", "0.1")));
        assertEquals(36, kept(masks.get(0).keep()));
        assertEquals(tensors.get(2).kept() - rounded("0.5", tensors.get(2).kept()), kept(masks.get(2).keep()));
    }

    @Test
    void theSmallestMagnitudesOfEachLayerArePruned() {
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, new float[] {0.3f, -0.1f, 2f, -5f}, all(4), 1, 1, 4));
        assertArrayEquals(new boolean[] {false, false, true, true},
                masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.5"))).get(0).keep());
    }

    @Test
    void previousZerosStayZeroAndDoNotCountAsKept() {
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, new float[] {0f, 1f, 2f, 3f, 4f},
                new boolean[] {false, true, true, true, true}, 1, 1, 5));
        List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.5")));
        assertArrayEquals(new boolean[] {false, false, false, true, true}, masks.get(0).keep());
        assertPreviousZerosStayZero(network(), masks(STRATEGY.computeMask(network(), Map.of("amount", "0.6"))));
    }

    @Test
    void eachMaskHasItsTensorsShapeAndLayer() {
        assertMasksFit(network(), masks(STRATEGY.computeMask(network(), Map.of())));
    }

    @Test
    void tiesGoToTheLowerIndex() {
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, new float[] {2f, -2f, 2f, -2f, 2f, -2f}, all(6),
                1, 1, 6));
        assertArrayEquals(new boolean[] {false, false, false, false, true, true},
                masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.6"))).get(0).keep());
    }

    @Test
    void configuredOverridesApplyAndAreReportedAsParameters() {
        LayerSparsityStrategy strategy = new LayerSparsityStrategy();
        strategy.configure(config(LayerSparsityStrategy.Config.class,
                Map.of("amount", 0.25, "overrides", new String[] {"conv3=0", "conv9=0.9"})));
        List<TensorMask> masks = masks(strategy.computeMask(network(), Map.of()));
        assertEquals(30, kept(masks.get(0).keep()));
        assertEquals(network().get(2).kept(), kept(masks.get(2).keep()));
        assertEquals(Map.of("amount", "0.25", "layer.conv3", "0", "layer.conv9", "0.9", "maps", "0.0"),
                strategy.parameters());
    }

    @Test
    void aRequestedOverrideOfAnUnknownLayerIsRefusedListingTheLayers() {
        assertEquals("strategy layer-sparsity: parameter 'layer.conv9' names no prunable layer; they are conv1, "
                + "conv2, conv3", refusal(STRATEGY.computeMask(network(), Map.of("layer.conv9", "0.2"))));
    }

    @Test
    void aFractionOutsideZeroToOneIsRefusedNamingTheParameter() {
        for (Map.Entry<String, String> bad : Map.of("amount", "1", "layer.conv2", "-0.5", "layer.conv1", "x", "maps",
                "1.5", "maps.conv2", "-1").entrySet()) {
            assertEquals("strategy layer-sparsity: parameter '" + bad.getKey() + "' must be a fraction in [0, 1) "
                    + "(counts are not accepted), was '" + bad.getValue() + "'",
                    refusal(STRATEGY.computeMask(network(), Map.ofEntries(bad))));
        }
    }

    @Test
    void anUnknownParameterIsRefusedNamingIt() {
        for (String bad : List.of("sparsity", "layer.", "maps.")) {
            assertEquals("strategy layer-sparsity: unknown parameter '" + bad + "'; it takes 'amount', "
                    + "'layer.<name>', 'maps' and 'maps.<name>'", STRATEGY.checkParameters(Map.of(bad, "0.1"))
                    .orElseThrow());
        }
    }

    @Test
    void aMalformedConfiguredOverrideIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LayerSparsityStrategy()
                .configure(config(LayerSparsityStrategy.Config.class, Map.of("overrides", new String[] {"conv1"}))));
        assertEquals("penni.strategy.layer: override 'conv1' must be 'layer=fraction'", e.getMessage());
    }

    /**
     * [2, 2, 2]: four maps (columns c·2 + j), value i in column i % 4. Column sums of |c|: 0 → 3.5, 1 → 0.65,
     * 2 → 2.0, 3 → 0.04.
     */
    private static final float[] FOUR_MAPS = {3f, 0.6f, -1.5f, 0.03f, 0.5f, -0.05f, 0.5f, 0.01f};

    @Test
    void theWeakestMapsArePrunedWholeAndTheAmountIsTakenFromTheRest() {
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, FOUR_MAPS, all(8), 2, 2, 2));
        // amount 0.5 keeps 4 of 8: by magnitude alone 3, -1.5, 0.6 and one 0.5 (the lower index goes first)
        assertArrayEquals(new boolean[] {true, true, true, false, false, false, true, false},
                masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.5"))).get(0).keep());
        // maps 0.5: columns 3 and 1 go whole (0.6 with them), the budget of 4 is filled from columns 0 and 2
        assertArrayEquals(new boolean[] {true, false, true, false, true, false, true, false},
                masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.5", "maps", "0.5"))).get(0).keep());
        // amount 0.75 keeps 2: 3 and -1.5
        assertArrayEquals(new boolean[] {true, false, true, false, false, false, false, false},
                masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.75", "maps", "0.5"))).get(0).keep());
    }

    @Test
    void whenTheSurvivingMapsHoldFewerValuesThanTheBudgetAllOfThemStay() {
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, FOUR_MAPS, all(8), 2, 2, 2));
        // maps 0.75 leaves column 0 alone (2 values); amount 0.25 would keep 6
        assertArrayEquals(new boolean[] {true, false, false, false, true, false, false, false},
                masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.25", "maps", "0.75"))).get(0).keep());
    }

    @Test
    void onlyMapsStillUsedCountAndPreviousZerosStayZero() {
        // column 0 already pruned: of the 3 used maps round(0.5 × 3) = 2 go (3 and 1), column 2 stays
        boolean[] previous = {false, true, true, true, false, true, true, true};
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, FOUR_MAPS, previous, 2, 2, 2));
        assertArrayEquals(new boolean[] {false, false, true, false, false, false, true, false},
                masks(STRATEGY.computeMask(tensors, Map.of("amount", "0", "maps", "0.5"))).get(0).keep());
        assertPreviousZerosStayZero(network(), masks(STRATEGY.computeMask(network(), Map.of("maps", "0.6"))));
    }

    @Test
    void aLayersOwnMapsFractionOverridesAndOtherKindsHaveNoMaps() {
        PrunableTensor weight = new PrunableTensor("fc", TensorKind.LINEAR_WEIGHT, 1, new int[] {2, 4}, FOUR_MAPS,
                all(8), new float[0]);
        List<PrunableTensor> tensors = List.of(coefficients("a", 0, FOUR_MAPS, all(8), 2, 2, 2), weight);
        List<TensorMask> masks = masks(STRATEGY.computeMask(tensors, Map.of("amount", "0.25", "maps", "0.75",
                "maps.a", "0")));
        assertEquals(6, kept(masks.get(0).keep()));
        // the linear layer loses its 2 smallest values (0.01, 0.03) as with no maps at all
        assertArrayEquals(new boolean[] {true, true, true, false, true, true, true, false}, masks.get(1).keep());
    }

    @Test
    void aMapsOverrideOfALayerWithoutMapsIsRefusedListingTheDecomposedLayers() {
        PrunableTensor weight = new PrunableTensor("fc", TensorKind.LINEAR_WEIGHT, 3, new int[] {2, 4}, FOUR_MAPS,
                all(8), new float[0]);
        List<PrunableTensor> tensors = new ArrayList<>(network());
        tensors.add(weight);
        assertEquals("strategy layer-sparsity: parameter 'maps.fc' names no decomposed layer; they are conv1, conv2, "
                + "conv3", refusal(STRATEGY.computeMask(tensors, Map.of("maps.fc", "0.2"))));
    }

    @Test
    void theConfiguredMapsFractionIsTheDefault() {
        LayerSparsityStrategy strategy = new LayerSparsityStrategy();
        strategy.configure(config(LayerSparsityStrategy.Config.class, Map.of("amount", 0.75, "maps", 0.5)));
        assertArrayEquals(new boolean[] {true, false, true, false, false, false, false, false},
                masks(strategy.computeMask(List.of(coefficients("a", 0, FOUR_MAPS, all(8), 2, 2, 2)), Map.of()))
                        .get(0).keep());
        assertEquals("0.5", strategy.parameters().get("maps"));
    }
}
