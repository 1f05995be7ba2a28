package io.penni.api.inference;

import java.util.Objects;

/** Whether a backend could prepare a model. */
public sealed interface LoadOutcome {

    /**
     * The model is ready.
     *
     * @param model the prepared model
     */
    record Loaded(LoadedModel model) implements LoadOutcome {
        /** Checks the fields. */
        public Loaded {
            Objects.requireNonNull(model, "model");
        }
    }

    /**
     * The backend cannot run this model.
     *
     * @param reason one line naming the layer or feature it cannot run
     */
    record Unsupported(String reason) implements LoadOutcome {
        /** Checks the fields. */
        public Unsupported {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
