package io.penni.trainer;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.buffer.DataType;
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
            INDArray mask = masks.get(name);
            INDArray v = settings.momentum() != 0 ? velocity.computeIfAbsent(name, n -> p.ulike()) : null;
            double strength = l1.getOrDefault(name, 0.0);
            if (fusable(p, gradient, v, mask)) {
                updateInJava(p, gradient, v, mask, strength, learningRate);
            } else {
                updateWithNd4j(p, gradient, v, mask, strength, learningRate);
            }
        }
    }

    /** Whether every array is float and contiguous in row-major order, as the trainer's parameters are. */
    private static boolean fusable(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || a.isView()
                    || a.length() > Integer.MAX_VALUE / 2)) {
                return false;
            }
        }
        return true;
    }

    /**
     * One parameter's update as ND4J ops: any data type and layout, and the reference {@link #updateInJava} is
     * tested against.
     */
    void updateWithNd4j(INDArray p, INDArray gradient, INDArray v, INDArray mask, double strength,
            double learningRate) {
        INDArray d = gradient.dup();
        if (settings.weightDecay() != 0) {
            d.addi(p.mul(settings.weightDecay()));
        }
        if (strength != 0) {
            d.addi(Transforms.sign(p, true).muli(strength));
        }
        if (mask != null) {
            d.muli(mask);
        }
        INDArray update;
        if (v != null) {
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

    /**
     * The same update in one pass of Java over float arrays, in the same order of float operations: about ten ND4J
     * ops a parameter, each with its own call and temporary array, cost more than the arithmetic on the few
     * hundred thousand values of a small network.
     */
    void updateInJava(INDArray p, INDArray gradient, INDArray v, INDArray mask, double strength, double learningRate) {
        int n = (int) p.length();
        float[] pv = new float[n];
        float[] gv = new float[n];
        p.data().asNioFloat().get((int) p.offset(), pv, 0, n);
        gradient.data().asNioFloat().get((int) gradient.offset(), gv, 0, n);
        float[] vv = null;
        if (v != null) {
            vv = new float[n];
            v.data().asNioFloat().get((int) v.offset(), vv, 0, n);
        }
        float[] mv = null;
        if (mask != null) {
            mv = new float[n];
            mask.data().asNioFloat().get((int) mask.offset(), mv, 0, n);
        }
        float decay = (float) settings.weightDecay();
        float l1 = (float) strength;
        float momentum = (float) settings.momentum();
        float rate = (float) learningRate;
        boolean nesterov = settings.nesterov();
        for (int i = 0; i < n; i++) {
            float x = pv[i];
            float d = gv[i];
            if (decay != 0) {
                d += x * decay;
            }
            if (l1 != 0) {
                d += Math.signum(x) * l1;
            }
            if (mv != null) {
                d *= mv[i];
            }
            float update;
            if (vv != null) {
                float velocity = vv[i] * momentum + d;
                if (mv != null) {
                    velocity *= mv[i];
                }
                vv[i] = velocity;
                update = nesterov ? d + velocity * momentum : velocity;
            } else {
                update = d;
            }
            x -= update * rate;
            if (mv != null) {
                x *= mv[i];
            }
            pv[i] = x;
        }
        p.data().asNioFloat().put((int) p.offset(), pv, 0, n);
        if (v != null) {
            v.data().asNioFloat().put((int) v.offset(), vv, 0, n);
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
