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
 */
public record RequestEnvironment(Path dataRoot, Path modelRoot, Set<String> architectures, Set<String> strategies,
        Set<String> backends, AdmissionBudget admission) {
    /** Copies the sets. */
    public RequestEnvironment {
        architectures = Set.copyOf(architectures);
        strategies = Set.copyOf(strategies);
        backends = Set.copyOf(backends);
        java.util.Objects.requireNonNull(admission, "admission");
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
