package io.penni.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.model.internal.BuiltInNetworks;

/**
 * The built-in architectures, by name:
 * <ul>
 * <li>{@code vgg-small}: a small VGG for 28×28×1 (Fashion-MNIST), 6 conv + BN + ReLU, about 0.43 M
 * parameters;</li>
 * <li>{@code resnet-small}: a small ResNet for 28×28×1, three stages of two basic blocks (16, 32, 64);</li>
 * <li>{@code vgg16-cifar}: VGG16 with BN for CIFAR-10, 13 convs, one FC 512 → 10;</li>
 * <li>{@code resnet18-cifar}: ResNet-18 for CIFAR-10, 3×3 stem, no max pool, 1×1 conv + BN shortcuts;</li>
 * <li>{@code resnet56-cifar}: ResNet-56 for CIFAR-10 with 1×1 conv + BN shortcuts ("option B");</li>
 * <li>{@code alexnet}: torchvision AlexNet, 224×224×3, 1000 classes, no BN;</li>
 * <li>{@code resnet50}: torchvision ResNet-50 v1.5, 224×224×3, 1000 classes.</li>
 * </ul>
 */
public final class Architectures {

    private static final Map<String, Supplier<Network>> NETWORKS;

    static {
        Map<String, Supplier<Network>> networks = new LinkedHashMap<>();
        networks.put("vgg-small", BuiltInNetworks::vggSmall);
        networks.put("resnet-small", BuiltInNetworks::resnetSmall);
        networks.put("vgg16-cifar", BuiltInNetworks::vgg16Cifar);
        networks.put("resnet18-cifar", BuiltInNetworks::resnet18Cifar);
        networks.put("resnet56-cifar", BuiltInNetworks::resnet56Cifar);
        networks.put("alexnet", BuiltInNetworks::alexnet);
        networks.put("resnet50", BuiltInNetworks::resnet50);
        NETWORKS = Collections.unmodifiableMap(networks);
    }

    private Architectures() {
    }

    /** @return the names of the built-in architectures, smallest first */
    public static List<String> names() {
        return List.copyOf(NETWORKS.keySet());
    }

    /**
     * A built-in graph without weights (cheap: for counting and summaries).
     *
     * @param name one of {@link #names()}
     * @return the graph
     * @throws ModelException for an unknown name, listing the known ones
     */
    public static Network network(String name) {
        Supplier<Network> network = NETWORKS.get(name);
        if (network == null) {
            throw new ModelException("unknown architecture '" + name + "'; the built-in ones are "
                    + String.join(", ", NETWORKS.keySet()));
        }
        return network.get();
    }

    /**
     * A built-in architecture with seeded random weights (see {@link #initialise}).
     *
     * @param name one of {@link #names()}
     * @param seed the random seed; the same seed gives the same weights
     * @return the model
     * @throws ModelException for an unknown name, listing the known ones
     */
    public static Model create(String name, long seed) {
        return initialise(network(name), seed);
    }

    /**
     * Fresh weights for any valid network: convolution and linear weights He-normal (std √(2 / fan-in), fan-in
     * = C/groups·k·k or in-features), decomposed coefficients He-normal with fan-in C·d and bases normal with
     * std 1/k (so that coefficients · basis has the He variance), biases and batch-norm beta and running mean
     * 0, batch-norm gamma and running variance 1. Each tensor draws from its own stream seeded by the seed and
     * the tensor's name, so a tensor's values do not depend on the other layers.
     *
     * @param network the graph
     * @param seed the random seed
     * @return the model
     * @throws ModelException if the network is invalid
     */
    public static Model initialise(Network network, long seed) {
        NetworkShapes.infer(network);
        Map<String, Tensor> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> spec : ModelParameters.required(network).entrySet()) {
            parameters.put(spec.getKey(), initialTensor(spec.getKey(), spec.getValue(), seed));
        }
        return new Model(network, parameters);
    }

    private static Tensor initialTensor(String name, int[] shape, long seed) {
        Tensor tensor = Tensor.zeros(shape);
        String kind = name.substring(name.lastIndexOf('.') + 1);
        switch (kind) {
            case ParameterNames.WEIGHT, ParameterNames.COEFFICIENTS -> {
                long fanIn = tensor.size() / shape[0];
                normal(tensor.data(), Math.sqrt(2.0 / fanIn), seed, name);
            }
            case ParameterNames.BASIS -> normal(tensor.data(), Math.sqrt(1.0 / shape[1]), seed, name);
            case ParameterNames.GAMMA, ParameterNames.RUNNING_VAR -> Arrays.fill(tensor.data(), 1f);
            default -> {
                // bias, beta, running mean: zero
            }
        }
        return tensor;
    }

    private static void normal(float[] values, double std, long seed, String name) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
    }
}
