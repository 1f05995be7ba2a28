package io.penni.api.prune;

import java.util.List;
import java.util.Objects;

/** What a strategy decided. */
public sealed interface MaskOutcome {

    /**
     * One mask per tensor it was given, in the same order.
     *
     * @param masks the masks
     */
    record Masks(List<TensorMask> masks) implements MaskOutcome {
        /** Copies the list. */
        public Masks {
            masks = List.copyOf(masks);
        }
    }

    /**
     * The strategy cannot prune with these parameters or tensors.
     *
     * @param reason one line naming the parameter and what is wrong with it
     */
    record Invalid(String reason) implements MaskOutcome {
        /** Checks the fields. */
        public Invalid {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
