package io.penni.strategy.support;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The result of converting parameters: the strategy's typed settings, or the one-line reason they are unusable.
 *
 * @param <C> the type of the settings
 */
public sealed interface Converted<C> {

    /**
     * The parameters are usable.
     *
     * @param <C> the type of the settings
     * @param settings the typed settings
     */
    record Valid<C>(C settings) implements Converted<C> {
        /** Checks the field. */
        public Valid {
            Objects.requireNonNull(settings, "settings");
        }
    }

    /**
     * The parameters are not usable.
     *
     * @param <C> the type the settings would have had
     * @param reason one line naming the parameter, its allowed range and the value given
     */
    record Invalid<C>(String reason) implements Converted<C> {
        /** Checks the field. */
        public Invalid {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** @return the reason the parameters are unusable, or empty when they are usable */
    default Optional<String> problem() {
        return this instanceof Invalid<C> invalid ? Optional.of(invalid.reason()) : Optional.empty();
    }

    /**
     * @param <R> the type of the answer
     * @param valid what to answer with usable settings
     * @param invalid what to answer with the reason they are unusable
     * @return the answer of one of the two
     */
    default <R> R fold(Function<? super C, ? extends R> valid, Function<String, ? extends R> invalid) {
        return this instanceof Valid<C> v ? valid.apply(v.settings()) : invalid.apply(((Invalid<C>) this).reason());
    }
}
