package io.penni.pruner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.penni.pruner.internal.StrategySelection.Candidate;

class StrategySelectionTest {

    private static final List<Candidate<String>> REGISTERED = List.of(new Candidate<>("std-threshold", 0, 12, "a"),
            new Candidate<>("top-k", 10, 30, "b"), new Candidate<>("std-threshold", 5, 40, "c"),
            new Candidate<>("magnitude", 10, 20, "d"));

    private static String chosen(StrategySelection.Choice<String> choice) {
        return assertInstanceOf(StrategySelection.Chosen.class, choice).candidate().service().toString();
    }

    @Test
    void theRequestedNameWinsOverRanking() {
        assertEquals("a", chosen(StrategySelection.choose(REGISTERED.subList(0, 2), Optional.of("std-threshold"), Optional.empty())));
    }

    @Test
    void amongStrategiesOfTheRequestedNameTheHigherRankedWins() {
        assertEquals("c", chosen(StrategySelection.choose(REGISTERED, Optional.of("std-threshold"), Optional.empty())));
    }

    @Test
    void withoutANameTheHighestRankedWinsAndTiesGoToTheLowestServiceId() {
        assertEquals("d", chosen(StrategySelection.choose(REGISTERED, Optional.empty(), Optional.empty())));
    }

    @Test
    void anUnknownNameListsTheAvailableOnes() {
        var none = assertInstanceOf(StrategySelection.Unavailable.class,
                StrategySelection.choose(REGISTERED, Optional.of("random"), Optional.of("top-k")));
        assertEquals("unknown pruning strategy 'random'; available: magnitude, std-threshold, top-k", none.reason());
        assertFalse(none.retryable());
    }

    @Test
    void noStrategyAtAllIsWorthRetrying() {
        var none = assertInstanceOf(StrategySelection.Unavailable.class,
                StrategySelection.choose(List.<Candidate<String>>of(), Optional.empty(), Optional.empty()));
        assertTrue(none.retryable());
        assertTrue(none.reason().startsWith("no pruning strategy is registered"), none.reason());
    }

    @Test
    void withoutANameTheConfiguredDefaultWinsOverRanking() {
        // top-k (ranking 10) would win on ranking alone
        assertEquals("a", chosen(StrategySelection.choose(REGISTERED.subList(0, 2), Optional.empty(),
                Optional.of("std-threshold"))));
    }

    @Test
    void theRequestedNameWinsOverTheConfiguredDefault() {
        assertEquals("b", chosen(StrategySelection.choose(REGISTERED, Optional.of("top-k"), Optional.of("magnitude"))));
    }

    @Test
    void aConfiguredDefaultThatIsNotRegisteredIsNamedWithTheAvailableOnes() {
        var none = assertInstanceOf(StrategySelection.Unavailable.class,
                StrategySelection.choose(REGISTERED, Optional.empty(), Optional.of("layer-sparsity")));
        assertEquals("the configured default pruning strategy 'layer-sparsity' (penni.pruner default.strategy) is not "
                + "registered; available: magnitude, std-threshold, top-k", none.reason());
        assertFalse(none.retryable());
    }
}
