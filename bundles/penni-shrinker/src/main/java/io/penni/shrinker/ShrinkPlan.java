package io.penni.shrinker;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.penni.api.model.Model;
import io.penni.shrinker.internal.PlanApplier;
import io.penni.shrinker.internal.PlanJson;

/**
 * What stays of each layer with parameters: a recipe, saved beside the shrunk model and applied by
 * {@link #apply(Model)}. Layers without parameters are not listed; their shapes follow their inputs.
 *
 * @param network the name of the network it was made for
 * @param layers one plan per convolution, decomposed convolution, batch norm and linear layer, in network order
 */
public record ShrinkPlan(String network, List<LayerShrink> layers) {

    /** Checks that each layer is planned once and copies the list. */
    public ShrinkPlan {
        Objects.requireNonNull(network, "network");
        layers = List.copyOf(layers);
        Set<String> seen = new HashSet<>();
        for (LayerShrink layer : layers) {
            if (!seen.add(layer.layer())) {
                throw new IllegalArgumentException("layer " + layer.layer() + " is planned twice");
            }
        }
    }

    /**
     * One layer's plan.
     *
     * @param name the layer's name
     * @return its plan, or empty when the layer has no parameters (or is not in the plan)
     */
    public Optional<LayerShrink> layer(String name) {
        return layers.stream().filter(l -> l.layer().equals(name)).findFirst();
    }

    /** @return whether the plan removes nothing */
    public boolean keepsAll() {
        return layers.stream().allMatch(LayerShrink::keepsAll);
    }

    /**
     * Carries the plan out: every planned layer gets its reduced channel and basis counts and its parameters
     * sliced to the kept indices.
     *
     * @param model the model the plan was made for
     * @return the shrunk model
     * @throws io.penni.model.ModelException naming the layer if the model does not fit the plan
     */
    public Model apply(Model model) {
        return PlanApplier.apply(this, model);
    }

    /** @return the plan as JSON text (see {@link #fromJson}) */
    public String toJson() {
        return PlanJson.write(this);
    }

    /**
     * Reads a plan {@link #toJson()} wrote: {@code {"format": "penni-shrink-plan", "version": 1, "network",
     * "layers": [{"name", "outputs": {"before", "kept": [...]}, "inputs": {...}, "bases": {...}}]}}.
     *
     * @param json the text, UTF-8
     * @param source how to name the text in messages, e.g. its file name
     * @return the plan
     * @throws io.penni.model.ModelException naming the source and what is wrong
     */
    public static ShrinkPlan fromJson(byte[] json, String source) {
        return PlanJson.read(json, source);
    }
}
