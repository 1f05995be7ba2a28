package io.penni.shrinker;

import io.penni.api.stage.CompressionStage;
import io.penni.shrinker.internal.ShrinkStage;

/** The shrink stage for use outside the container (the local pipeline); inside it is a DS component. */
public final class ShrinkerStages {

    private ShrinkerStages() {
    }

    /** @return the shrink stage */
    public static CompressionStage shrink() {
        return new ShrinkStage();
    }
}
