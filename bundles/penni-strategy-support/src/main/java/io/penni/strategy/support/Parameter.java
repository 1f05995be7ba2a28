package io.penni.strategy.support;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One parameter a strategy takes: its name (the same key in a request's pruning parameters and in the strategy's
 * configuration), how its text is read and the range it must lie in. The type and range are chosen by the factory
 * methods, so that every strategy reads a fraction, a number, an integer or a flag the same way and describes its
 * range with the same words.
 *
 * <p>A parameter made with {@link #perName()} is a family: every key {@code <name><suffix>} with a non-empty
 * suffix, e.g. {@code layer.conv3} for the family {@code layer.}.
 *
 * @param <T> the type of its value
 */
public final class Parameter<T> {

    private final String name;
    private final String range;
    private final Function<String, Optional<T>> reader;
    private final boolean family;

    private Parameter(String name, String range, Function<String, Optional<T>> reader, boolean family) {
        this.name = Objects.requireNonNull(name, "name");
        this.range = range;
        this.reader = reader;
        this.family = family;
    }

    /**
     * A fraction in [0, 1), read exactly as written (a {@link BigDecimal}), so that {@code round(amount × n)} is
     * exact and repeatable. A count such as {@code 40} is refused rather than taken for 40 %.
     *
     * @param name the parameter's name
     * @return the parameter
     */
    public static Parameter<BigDecimal> fraction(String name) {
        return new Parameter<>(name, "a fraction in [0, 1) (counts are not accepted)", text -> {
            try {
                BigDecimal value = new BigDecimal(text.trim());
                return value.signum() >= 0 && value.compareTo(BigDecimal.ONE) < 0 ? Optional.of(value)
                        : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }, false);
    }

    /**
     * A finite number at least {@code min}; NaN and infinities are refused.
     *
     * @param name the parameter's name
     * @param min the smallest value allowed
     * @return the parameter
     */
    public static Parameter<Double> number(String name, double min) {
        return new Parameter<>(name, "a finite number >= " + plain(min), text -> {
            try {
                double value = Double.parseDouble(text.trim());
                return value >= min && !Double.isInfinite(value) ? Optional.of(value) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }, false);
    }

    /**
     * An integer at least {@code min}, written in decimal digits without a sign.
     *
     * @param name the parameter's name
     * @param min the smallest value allowed, {@code >= 0}
     * @return the parameter
     */
    public static Parameter<Integer> integer(String name, int min) {
        if (min < 0) {
            throw new IllegalArgumentException(name + ": an integer parameter's minimum must be >= 0, was " + min);
        }
        return new Parameter<>(name, "an integer >= " + min, text -> {
            String trimmed = text.trim();
            if (!trimmed.matches("\\d{1,10}")) {
                return Optional.empty();
            }
            long value = Long.parseLong(trimmed);
            return value >= min && value <= Integer.MAX_VALUE ? Optional.of((int) value) : Optional.empty();
        }, false);
    }

    /**
     * {@code true} or {@code false}, nothing else (a typo such as {@code yes} is refused, not read as false).
     *
     * @param name the parameter's name
     * @return the parameter
     */
    public static Parameter<Boolean> flag(String name) {
        return new Parameter<>(name, "true or false", text -> switch (text.trim()) {
            case "true" -> Optional.of(true);
            case "false" -> Optional.of(false);
            default -> Optional.empty();
        }, false);
    }

    /**
     * @return this parameter as a family: its name becomes a prefix, followed in each key by a non-empty name of
     *         the strategy's choosing (a layer's, say), each key with a value of this type and range
     */
    public Parameter<T> perName() {
        return new Parameter<>(name, range, reader, true);
    }

    /** @return the name, or a family's prefix */
    public String name() {
        return name;
    }

    /** @return the range its values must lie in, in words, e.g. {@code an integer >= 0} */
    public String range() {
        return range;
    }

    /** @return whether this is a family of keys sharing the prefix {@link #name()} */
    public boolean isFamily() {
        return family;
    }

    /**
     * @param key a key of a request or configuration
     * @return whether the key is this parameter (or one of its family)
     */
    public boolean matches(String key) {
        return family ? key.startsWith(name) && key.length() > name.length() : key.equals(name);
    }

    /**
     * @param text a value as written
     * @return the value, or empty when the text is not one of the type or lies outside the range
     */
    public Optional<T> read(String text) {
        return reader.apply(text);
    }

    /** @return how a message spells it: {@code 'amount'}, or {@code 'layer.<name>'} for a family */
    @Override
    public String toString() {
        return "'" + name + (family ? "<name>" : "") + "'";
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
