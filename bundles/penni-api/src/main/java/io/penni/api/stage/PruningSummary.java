package io.penni.api.stage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the prune stage reports: which strategy pruned, from which bundle, with which parameters, and what it kept.
 *
 * @param strategy the strategy's name
 * @param bundle the symbolic name of the bundle that provided it
 * @param bundleVersion that bundle's version
 * @param parameters the parameters it used
 * @param layers one row per pruned tensor
 * @param kept prunable values kept
 * @param total prunable values
 * @param sparsity share of the prunable values set to zero
 * @param violations the rules the strategy's masks broke (empty when none)
 */
public record PruningSummary(String strategy, String bundle, String bundleVersion, Map<String, String> parameters,
        List<Layer> layers, long kept, long total, double sparsity, List<String> violations) implements StageSummary {

    /** Checks the fields and copies the collections. */
    public PruningSummary {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(bundleVersion, "bundleVersion");
        parameters = Map.copyOf(parameters);
        layers = List.copyOf(layers);
        violations = List.copyOf(violations);
    }

    @Override
    public Map<String, Object> headline() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("strategy", strategy);
        h.put("bundle", bundle);
        h.put("bundleVersion", bundleVersion);
        h.put("kept", kept);
        h.put("total", total);
        h.put("sparsity", sparsity);
        return h;
    }

    /**
     * One pruned tensor.
     *
     * @param name the layer's name
     * @param kind which of its tensors (the name of the tensor kind, e.g. {@code COEFFICIENTS})
     * @param kept values kept
     * @param total values
     * @param sparsity share of the values set to zero
     */
    public record Layer(String name, String kind, long kept, long total, double sparsity) {
        /** Checks the fields. */
        public Layer {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
        }
    }
}
