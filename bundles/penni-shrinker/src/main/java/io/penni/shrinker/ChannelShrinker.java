package io.penni.shrinker;

import io.penni.api.model.Model;
import io.penni.model.ModelParameters;
import io.penni.shrinker.internal.ChannelAnalysis;

/**
 * PENNI's last step: removes what pruning left without work, keeping the network's function exactly. An output
 * channel goes when nothing reads it any more, an input channel when every weight on it is zero or it only
 * ever carries the constant 0, and a basis kernel when no coefficient that stays uses it; these feed each other,
 * so the rules are applied until nothing changes.
 *
 * <p>It works on any graph of the IR, not on architectures by name: channel counts are kept in step through
 * batch norm, ReLU, pooling and dropout; a flatten or global average pooling into a linear layer drops the
 * linear layer's columns of each removed channel; at a residual add a channel that any branch keeps is kept on
 * all branches. To know what is zero it tracks which channels are constants: an output channel whose weights
 * are all zero is its bias, and batch norm, ReLU, pooling and adds carry constants on. The pruner zeroes the
 * bias and batch-norm gamma and beta of dead filters, so their channels are the constant 0 and can go.
 *
 * <p>Never removed: the network's input channels, its output, a linear layer's outputs and anything tied to a
 * grouped convolution. A layer left with no channel or basis to keep keeps one (its lowest index): a
 * zero-channel layer is not a valid layer, and keeping a channel that carries nothing is always exact.
 */
public final class ChannelShrinker {

    private ChannelShrinker() {
    }

    /**
     * Works out what stays.
     *
     * @param model a valid model, typically decomposed and pruned
     * @return the plan
     * @throws io.penni.model.ModelException if the model is invalid
     */
    public static ShrinkPlan plan(Model model) {
        ModelParameters.validate(model);
        return ChannelAnalysis.plan(model);
    }

    /**
     * Plans and applies in one step.
     *
     * @param model a valid model
     * @return the shrunk model, with the same outputs for every input
     * @throws io.penni.model.ModelException if the model is invalid
     */
    public static Model shrink(Model model) {
        return plan(model).apply(model);
    }
}
