package io.penni.trainer;

import io.penni.api.stage.CompressionStage;
import io.penni.trainer.internal.FinetuneStage;
import io.penni.trainer.internal.PretrainStage;
import io.penni.trainer.internal.RetrainStage;

/**
 * The training stages for use outside the container (the local pipeline, benchmarks); inside it they are
 * Declarative Services components.
 */
public final class TrainingStages {

    private TrainingStages() {
    }

    /**
     * @param environment where data and models are
     * @return the pretrain stage: trains a built-in architecture, or loads a stored model; evaluates the baseline
     */
    public static CompressionStage pretrain(TrainingEnvironment environment) {
        return new PretrainStage(environment);
    }

    /**
     * @param environment where data and models are
     * @return the retrain stage: alternates coefficients and bases with L1 on coefficients
     */
    public static CompressionStage retrain(TrainingEnvironment environment) {
        return new RetrainStage(environment);
    }

    /**
     * @param environment where data and models are
     * @return the fine-tune stage: trains with pruned coefficients held at zero
     */
    public static CompressionStage finetune(TrainingEnvironment environment) {
        return new FinetuneStage(environment);
    }
}
