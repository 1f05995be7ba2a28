package io.penni.pipeline;

import java.nio.file.Path;
import java.util.Set;

/**
 * What a request is checked against beyond its schema: where data and models may be read from, and what
 * this installation offers.
 *
 * @param dataRoot data sets must lie under this folder
 * @param modelRoot model files must lie under this folder
 * @param architectures built-in architecture names
 * @param strategies pruning strategy names available now
 * @param backends inference backend names available now
 * @param admission what one job may cost here
 * @param recipes the budget recipes a request may name
 */
public record RequestEnvironment(Path dataRoot, Path modelRoot, Set<String> architectures, Set<String> strategies,
        Set<String> backends, AdmissionBudget admission, Recipes recipes) {
    /** Copies the sets. */
    public RequestEnvironment {
        architectures = Set.copyOf(architectures);
        strategies = Set.copyOf(strategies);
        backends = Set.copyOf(backends);
        java.util.Objects.requireNonNull(admission, "admission");
        java.util.Objects.requireNonNull(recipes, "recipes");
    }

    /**
     * An environment without recipes.
     *
     * @param dataRoot data sets must lie under this folder
     * @param modelRoot model files must lie under this folder
     * @param architectures built-in architecture names
     * @param strategies pruning strategy names available now
     * @param backends inference backend names available now
     * @param admission what one job may cost here
     */
    public RequestEnvironment(Path dataRoot, Path modelRoot, Set<String> architectures, Set<String> strategies,
            Set<String> backends, AdmissionBudget admission) {
        this(dataRoot, modelRoot, architectures, strategies, backends, admission, Recipes.NONE);
    }

    /**
     * @param folder the recipes folder
     * @return this environment with the recipes of that folder
     */
    public RequestEnvironment withRecipes(Path folder) {
        return new RequestEnvironment(dataRoot, modelRoot, architectures, strategies, backends, admission,
                Recipes.load(folder));
    }

    /**
     * An environment without cost caps.
     *
     * @param dataRoot data sets must lie under this folder
     * @param modelRoot model files must lie under this folder
     * @param architectures built-in architecture names
     * @param strategies pruning strategy names available now
     * @param backends inference backend names available now
     */
    public RequestEnvironment(Path dataRoot, Path modelRoot, Set<String> architectures, Set<String> strategies,
            Set<String> backends) {
        this(dataRoot, modelRoot, architectures, strategies, backends, AdmissionBudget.UNLIMITED);
    }
}
