package io.penni.trainer;

import java.nio.file.Path;

/**
 * Where training stages find data and models.
 *
 * @param dataRoot data sets lie under this folder (requests name a path inside it)
 * @param modelRoot stored models lie under this folder
 * @param evaluateEvery evaluate on the test split every this many epochs (learning curves; 0: last epoch only)
 */
public record TrainingEnvironment(Path dataRoot, Path modelRoot, int evaluateEvery) {

    /** Framework property naming the data root. */
    public static final String DATA_ROOT = "penni.data.root";
    /** Framework property naming the model root. */
    public static final String MODEL_ROOT = "penni.model.root";
}
