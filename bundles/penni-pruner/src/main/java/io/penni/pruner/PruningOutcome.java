package io.penni.pruner;

import java.util.Objects;

/** How a pruning ended: a pruned model, or why there is none. */
public sealed interface PruningOutcome {

    /**
     * The model was pruned.
     *
     * @param result the pruned model and its masks
     */
    record Pruned(PruneResult result) implements PruningOutcome {
        /** Checks the fields. */
        public Pruned {
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * Nothing was pruned: the strategy refused, broke the mask contract or failed, or the previous masks do not
     * fit the model.
     *
     * @param reason one line naming the strategy, tensor or parameter and what is wrong
     */
    record Rejected(String reason) implements PruningOutcome {
        /** Checks the fields. */
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
