package io.penni.trainer;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Stochastic gradient descent with momentum (optionally Nesterov's), weight decay and an L1 penalty, as
 * PyTorch's {@code torch.optim.SGD} defines them (dampening 0):
 * <pre>
 *   d = g + weightDecay·p + l1·sign(p)        (l1 only for the parameters given one)
 *   v = momentum·v + d
 *   p = p − lr·(nesterov ? d + momentum·v : v)
 * </pre>
 * A frozen parameter is not touched at all: neither its value nor its velocity moves. A masked parameter
 * keeps exactly zero where its mask is zero, in value and in velocity.
 */
public final class SgdOptimizer {

    /**
     * The optimizer's hyper-parameters.
     *
     * @param momentum momentum (0.9 in the paper)
     * @param nesterov whether momentum is Nesterov's
     * @param weightDecay L2 weight decay (1e-4 in the paper)
     */
    public record Settings(double momentum, boolean nesterov, double weightDecay) {
    }

    private final Settings settings;
    private final Map<String, INDArray> velocity = new HashMap<>();

    /**
     * Creates an optimizer with no velocity yet.
     *
     * @param settings the hyper-parameters
     */
    public SgdOptimizer(Settings settings) {
        this.settings = settings;
    }

    /**
     * Updates every parameter that has a gradient and is not frozen, in place.
     *
     * @param parameters live parameter arrays by name
     * @param gradients gradients of the loss by the same names
     * @param learningRate the step's learning rate
     * @param frozen names of parameters that must not move
     * @param l1 L1 strength per parameter name (absent: none)
     * @param masks keep-masks (1 keep, 0 pruned) per parameter name, same shape as the parameter
     */
    public void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients, double learningRate,
            Set<String> frozen, Map<String, Double> l1, Map<String, INDArray> masks) {
        for (Map.Entry<String, INDArray> entry : parameters.entrySet()) {
            String name = entry.getKey();
            INDArray gradient = gradients.get(name);
            if (gradient == null || frozen.contains(name)) {
                continue;
            }
            INDArray p = entry.getValue();
            INDArray d = gradient.dup();
            if (settings.weightDecay() != 0) {
                d.addi(p.mul(settings.weightDecay()));
            }
            Double strength = l1.get(name);
            if (strength != null && strength != 0) {
                d.addi(Transforms.sign(p, true).muli(strength));
            }
            INDArray mask = masks.get(name);
            if (mask != null) {
                d.muli(mask);
            }
            INDArray update;
            if (settings.momentum() != 0) {
                INDArray v = velocity.computeIfAbsent(name, n -> p.ulike());
                v.muli(settings.momentum()).addi(d);
                if (mask != null) {
                    v.muli(mask); // a value a mask has just pruned (gradual pruning) keeps no velocity either
                }
                update = settings.nesterov() ? d.addi(v.mul(settings.momentum())) : v.dup();
            } else {
                update = d;
            }
            p.subi(update.muli(learningRate));
            if (mask != null) {
                p.muli(mask);
            }
        }
    }

    /** @return the velocity of every parameter updated so far (live arrays: copy before keeping them) */
    public Map<String, INDArray> state() {
        return Map.copyOf(velocity);
    }

    /**
     * Restores the velocity from a checkpoint.
     *
     * @param state velocity by parameter name
     */
    public void restore(Map<String, INDArray> state) {
        velocity.clear();
        state.forEach((k, v) -> velocity.put(k, v.dup()));
    }
}
