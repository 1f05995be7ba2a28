package io.penni.decomposer;

import io.penni.api.stage.CompressionStage;
import io.penni.decomposer.internal.DecomposeStage;

/** The decompose stage for use outside the container (the local pipeline); inside it is a DS component. */
public final class DecomposerStages {

    private DecomposerStages() {
    }

    /** @return the decompose stage */
    public static CompressionStage decompose() {
        return new DecomposeStage();
    }
}
