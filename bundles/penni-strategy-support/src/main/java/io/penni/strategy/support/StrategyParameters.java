package io.penni.strategy.support;

import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A strategy's parameters, declared once, and the configured defaults: converts a request's string overrides on top
 * of those defaults into the strategy's typed settings, checking unknown keys, number format, finite values and
 * ranges with one message naming the parameter and its allowed range.
 *
 * <p>The defaults come from the strategy's configuration type, the {@code @ObjectClassDefinition Config}
 * annotation that Declarative Services fills from the configuration (its methods' defaults when there is none): a
 * parameter {@code min.width} is read from the method {@code min_width}, by the name mapping Declarative Services
 * itself uses, so a request's parameter and the configuration's property have the same key. The configuration
 * gives the type of the configured value, its default and its description; the parameter adds the range and how a
 * request's text is read. Immutable: a strategy keeps the current one in a volatile field.
 *
 * @param <C> the strategy's typed settings, usually a record
 */
public final class StrategyParameters<C> {

    private final String strategy;
    private final Class<? extends Annotation> configType;
    private final Function<ParameterValues, C> settings;
    private final List<Parameter<?>> declared;
    private final Map<String, String> configured;
    private final Map<String, Object> configuredValues;

    private StrategyParameters(String strategy, Class<? extends Annotation> configType,
            Function<ParameterValues, C> settings, List<Parameter<?>> declared, Map<String, String> configured,
            Map<String, Object> configuredValues) {
        this.strategy = strategy;
        this.configType = configType;
        this.settings = settings;
        this.declared = declared;
        this.configured = configured;
        this.configuredValues = configuredValues;
    }

    /**
     * Declares a strategy's parameters, with the defaults of its configuration type.
     *
     * @param <C> the typed settings
     * @param strategy the strategy's name, which messages start with
     * @param configType the configuration annotation: a method for every parameter that is not a family, whose
     *        default is the parameter's default
     * @param settings builds the settings from the values read
     * @param parameters the parameters, in the order messages list them
     * @return the declaration, configured with the defaults
     * @throws IllegalArgumentException when a parameter has no method in the configuration type or its default is
     *         outside its range (a mistake in the strategy, reported when its class loads)
     */
    public static <C> StrategyParameters<C> declare(String strategy, Class<? extends Annotation> configType,
            Function<ParameterValues, C> settings, Parameter<?>... parameters) {
        List<Parameter<?>> declared = List.of(parameters);
        Map<String, Object> defaults = new TreeMap<>();
        for (Parameter<?> p : declared) {
            if (!p.isFamily()) {
                Object value = method(configType, p).getDefaultValue();
                if (value == null) {
                    throw new IllegalArgumentException(configType.getName() + ": parameter " + p
                            + " needs a default in its method " + method(configType, p).getName());
                }
                defaults.put(p.name(), value);
            }
        }
        StrategyParameters<C> none = new StrategyParameters<>(strategy, configType, settings, declared, Map.of(),
                Map.of());
        return none.configure(configType.getName(), defaults);
    }

    /**
     * The same declaration with the configured defaults.
     *
     * @param pid the configuration PID, which a refusal names
     * @param config the configuration, as Declarative Services gives it
     * @return the declaration with those defaults
     * @throws IllegalArgumentException naming the PID, the property, its range and the value, when a value is
     *         outside its range
     */
    public StrategyParameters<C> configure(String pid, Annotation config) {
        return configure(pid, config, Map.of());
    }

    /**
     * The same declaration with the configured defaults and further configured entries, such as a family's
     * members the strategy reads from a configuration attribute of its own format.
     *
     * @param pid the configuration PID, which a refusal names
     * @param config the configuration, as Declarative Services gives it
     * @param more further entries as a request would spell them, e.g. {@code layer.conv1=0.1}
     * @return the declaration with those defaults
     * @throws IllegalArgumentException naming the PID, the property, its range and the value, when a value is
     *         unknown or outside its range
     */
    public StrategyParameters<C> configure(String pid, Annotation config, Map<String, String> more) {
        Map<String, Object> values = new TreeMap<>();
        for (Parameter<?> p : declared) {
            if (!p.isFamily()) {
                values.put(p.name(), invoke(method(configType, p), config));
            }
        }
        values.putAll(more);
        return configure(pid, values);
    }

    private StrategyParameters<C> configure(String pid, Map<String, Object> values) {
        Map<String, String> text = new TreeMap<>();
        Map<String, Object> read = new TreeMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            String value = String.valueOf(e.getValue());
            Parameter<?> p = parameter(e.getKey()).orElseThrow(() -> new IllegalArgumentException(pid
                    + ": unknown property '" + e.getKey() + "'; " + takes()));
            read.put(e.getKey(), p.read(value).orElseThrow(() -> new IllegalArgumentException(pid + ": "
                    + e.getKey() + " must be " + p.range() + ", was " + value)));
            text.put(e.getKey(), value);
        }
        return new StrategyParameters<>(strategy, configType, settings, declared,
                Collections.unmodifiableMap(text), Collections.unmodifiableMap(read));
    }

    /** @return the configured parameters as a request would spell them, in key order */
    public Map<String, String> configured() {
        return configured;
    }

    /**
     * Converts a request's overrides on top of the configured defaults.
     *
     * @param request the request's parameters, by key
     * @return the typed settings, or the first problem in key order: an unknown key (listing the keys it takes) or
     *         a value outside its parameter's range (naming the parameter, the range and the value)
     */
    public Converted<C> convert(Map<String, String> request) {
        Map<String, Object> values = new TreeMap<>(configuredValues);
        for (Map.Entry<String, String> e : new TreeMap<>(request).entrySet()) {
            Optional<Parameter<?>> p = parameter(e.getKey());
            if (p.isEmpty()) {
                return new Converted.Invalid<>("strategy " + strategy + ": unknown parameter '" + e.getKey() + "'; "
                        + takes());
            }
            Optional<?> value = p.get().read(e.getValue());
            if (value.isEmpty()) {
                return new Converted.Invalid<>("strategy " + strategy + ": parameter '" + e.getKey() + "' must be "
                        + p.get().range() + ", was '" + e.getValue() + "'");
            }
            values.put(e.getKey(), value.get());
        }
        return new Converted.Valid<>(settings.apply(new ParameterValues(values, new HashSet<>(request.keySet()))));
    }

    private Optional<Parameter<?>> parameter(String key) {
        return declared.stream().filter(p -> p.matches(key)).findFirst();
    }

    /** "it takes only 'k'", or "it takes 'a', 'b' and 'c'". */
    private String takes() {
        List<String> names = new ArrayList<>();
        declared.forEach(p -> names.add(p.toString()));
        if (names.size() == 1) {
            return "it takes only " + names.get(0);
        }
        return "it takes " + String.join(", ", names.subList(0, names.size() - 1)) + " and "
                + names.get(names.size() - 1);
    }

    /** The configuration method of a parameter, by Declarative Services' name mapping read backwards. */
    private static Method method(Class<? extends Annotation> configType, Parameter<?> p) {
        String name = p.name().replace("_", "__").replace("-", "$_$").replace('.', '_');
        try {
            Method method = configType.getMethod(name);
            method.setAccessible(true);
            return method;
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(configType.getName() + ": parameter " + p + " needs a method "
                    + name + "()", e);
        }
    }

    private static Object invoke(Method method, Annotation config) {
        try {
            return Objects.requireNonNull(method.invoke(config), method.getName());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(method + " cannot be read", e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(method.getName() + ": " + e.getCause().getMessage(), e.getCause());
        }
    }
}
