package io.penni.strategy.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class StrategyParametersTest {

    /** A configuration type as a strategy declares it. */
    @interface Config {
        double amount() default 0.5;

        int min_width() default 16;

        boolean protect_first() default true;

        double s() default 1.0;
    }

    record Settings(BigDecimal amount, int minWidth, boolean protectFirst, double s, Map<String, BigDecimal> layers,
            Set<String> requestedLayers) {
    }

    static final Parameter<BigDecimal> AMOUNT = Parameter.fraction("amount");
    static final Parameter<Integer> MIN_WIDTH = Parameter.integer("min.width", 0);
    static final Parameter<Boolean> PROTECT_FIRST = Parameter.flag("protect.first");
    static final Parameter<Double> S = Parameter.number("s", 0);
    static final Parameter<BigDecimal> LAYER = Parameter.fraction("layer.").perName();

    static final StrategyParameters<Settings> DECLARED = StrategyParameters.declare("test", Config.class,
            v -> new Settings(v.get(AMOUNT), v.get(MIN_WIDTH), v.get(PROTECT_FIRST), v.get(S), v.each(LAYER),
                    v.requested(LAYER)),
            AMOUNT, MIN_WIDTH, PROTECT_FIRST, S, LAYER);

    private static Config config(Map<String, Object> values) {
        return (Config) Proxy.newProxyInstance(Config.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> values.getOrDefault(method.getName(), method.getDefaultValue()));
    }

    private static Settings settings(StrategyParameters<Settings> parameters, Map<String, String> request) {
        Converted<Settings> converted = parameters.convert(request);
        assertEquals(Optional.empty(), converted.problem());
        return ((Converted.Valid<Settings>) converted).settings();
    }

    private static String refusal(Map<String, String> request) {
        return assertInstanceOf(Converted.Invalid.class, DECLARED.convert(request)).reason();
    }

    @Test
    void withoutAConfigurationTheConfigurationTypesDefaultsApply() {
        assertEquals(new Settings(new BigDecimal("0.5"), 16, true, 1.0, Map.of(), Set.of()),
                settings(DECLARED, Map.of()));
        assertEquals(Map.of("amount", "0.5", "min.width", "16", "protect.first", "true", "s", "1.0"),
                DECLARED.configured());
    }

    @Test
    void aConfigurationIsReadByDeclarativeServicesNameMappingAndARequestOverridesIt() {
        StrategyParameters<Settings> configured = DECLARED.configure("pid", config(Map.of("min_width", 4, "s", 2.0)),
                Map.of("layer.conv1", "0.1"));
        assertEquals(new Settings(new BigDecimal("0.5"), 4, true, 2.0, Map.of("conv1", new BigDecimal("0.1")),
                Set.of()), settings(configured, Map.of()));
        assertEquals(new Settings(new BigDecimal("0.30"), 4, false, 2.0,
                Map.of("conv1", new BigDecimal("0.1"), "conv2", new BigDecimal("0")), Set.of("conv2")),
                settings(configured, Map.of("amount", "0.30", "protect.first", " false", "layer.conv2", "0")));
        assertEquals("4", configured.configured().get("min.width"));
        assertEquals("0.1", configured.configured().get("layer.conv1"));
    }

    @Test
    void aValueOutsideItsRangeIsRefusedNamingTheParameterTheRangeAndTheValue() {
        Map<String, String> expected = Map.of(
                "amount", "must be a fraction in [0, 1) (counts are not accepted)",
                "min.width", "must be an integer >= 0",
                "protect.first", "must be true or false",
                "s", "must be a finite number >= 0",
                "layer.conv1", "must be a fraction in [0, 1) (counts are not accepted)");
        Map<String, List<String>> bad = Map.of("amount", List.of("1", "40", "-0.1", "NaN", "half", ""),
                "min.width", List.of("-3", "2.5", "x", "99999999999"), "protect.first", List.of("yes", "1", ""),
                "s", List.of("-1", "NaN", "Infinity", "-Infinity", "abc", ""), "layer.conv1", List.of("1.5"));
        bad.forEach((key, values) -> values.forEach(value -> assertEquals("strategy test: parameter '" + key + "' "
                + expected.get(key) + ", was '" + value + "'", refusal(Map.of(key, value)))));
    }

    @Test
    void anUnknownKeyIsRefusedListingTheKeysItTakes() {
        for (String key : List.of("minWidth", "layer.", "")) {
            assertEquals("strategy test: unknown parameter '" + key + "'; it takes 'amount', 'min.width', "
                    + "'protect.first', 's' and 'layer.<name>'", refusal(Map.of(key, "0.1")));
        }
    }

    @Test
    void aSingleParameterIsListedAsTheOnlyOne() {
        StrategyParameters<Double> one = StrategyParameters.declare("one", Config.class, v -> v.get(S), S);
        assertEquals(Optional.of("strategy one: unknown parameter 'amount'; it takes only 's'"),
                one.convert(Map.of("amount", "0.5")).problem());
    }

    @Test
    void theFirstProblemInKeyOrderIsReported() {
        assertEquals("strategy test: parameter 'amount' must be a fraction in [0, 1) (counts are not accepted), "
                + "was '2'", refusal(Map.of("s", "-1", "amount", "2")));
    }

    @Test
    void aConfiguredValueOutsideItsRangeIsRefusedNamingThePid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DECLARED.configure("penni.strategy.test", config(Map.of("min_width", -1))));
        assertEquals("penni.strategy.test: min.width must be an integer >= 0, was -1", e.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> DECLARED.configure("penni.strategy.test", config(Map.of()), Map.of("layers", "x")));
        assertTrue(unknown.getMessage().startsWith("penni.strategy.test: unknown property 'layers'; it takes"),
                unknown.getMessage());
    }

    @Test
    void aParameterWithoutAConfigurationMethodIsAMistakeFoundWhenDeclared() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrategyParameters.declare(
                "test", Config.class, v -> v, Parameter.number("threshold", 0)));
        assertTrue(e.getMessage().contains("parameter 'threshold' needs a method threshold()"), e.getMessage());
    }

    @Test
    void foldAnswersWithTheSettingsOrTheReason() {
        assertEquals("16", DECLARED.convert(Map.of()).fold(s -> Integer.toString(s.minWidth()), r -> r));
        assertTrue(DECLARED.convert(Map.of("x", "1")).fold(s -> "valid", r -> r).startsWith("strategy test: unknown"));
    }
}
