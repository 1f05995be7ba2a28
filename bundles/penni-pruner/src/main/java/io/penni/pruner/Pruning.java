package io.penni.pruner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.api.prune.MaskOutcome;
import io.penni.api.prune.PrunableTensor;
import io.penni.api.prune.PruningStrategy;
import io.penni.api.prune.TensorKind;
import io.penni.api.prune.TensorMask;
import io.penni.model.ModelParameters;
import io.penni.model.StoredTensor;
import io.penni.model.WeightedLayerVisitor;

/**
 * Prunes a model with a strategy. Everything a strategy must not do itself happens here, once: choosing the
 * tensors, enforcing the mask contract, zeroing the pruned values, and making dead filters exact.
 *
 * <p><b>Prunable tensors</b>: the coefficients {@code [N, C, d]} of every decomposed convolution (with the L2 norm
 * of each basis kernel, for strategies that weigh coefficients by their basis) and the weights of 1×1
 * convolutions, which PENNI keeps dense but whose weights it prunes (as the paper does for ResNet-50). Not
 * prunable: a dense first convolution (it sees the raw image, has few weights and costs accuracy
 * disproportionately), other dense convolutions (grouped ones, which are not decomposed) and, unless asked for,
 * linear layers (the paper prunes convolutions only). Asked for ({@code linear}), the weights {@code [out, in]} of every
 * fully connected layer but the output layer are prunable too ({@link TensorKind#LINEAR_WEIGHT}): after PENNI,
 * vgg-small's first fully connected layer holds most of the remaining weights. The output layer stays dense: it
 * is small and every class reads it.
 *
 * <p><b>The mask contract</b>: one mask per tensor, in order, named for its layer and as long as the tensor. A
 * mask that breaks it rejects the pruning. A value the previous mask pruned stays pruned: the strategy's mask is
 * intersected with the previous one, and any value it tried to revive is reported in
 * {@link PruneResult#violations()}.
 *
 * <p><b>Dead filters</b>: when all of an output channel's coefficients (or 1×1 weights) are zero after masking, its
 * bias is zeroed and masked, and so are gamma and beta of that channel in a batch norm the layer feeds directly.
 * The channel's activation after the batch norm is then exactly 0 for every input, instead of the constant
 * {@code beta − gamma·mean/√(var+ε)} that the paper's rule would leave. This is a deliberate strengthening of the
 * paper's rule: it is what lets the shrinker remove the channel from the layers that read it without changing
 * the network's function at all, and fine-tuning (which holds masked values at zero) adapts to it.
 */
public final class Pruning {

    private Pruning() {
    }

    /**
     * Prunes a model whose parameters were not masked before.
     *
     * @param model a valid model
     * @param strategyName the strategy's name, for the result
     * @param strategy the strategy
     * @param parameters the job's overrides of the strategy's parameters
     * @return the pruned model, or why it was not pruned
     * @throws io.penni.model.ModelException if the model is invalid
     */
    public static PruningOutcome prune(Model model, String strategyName, PruningStrategy strategy,
            Map<String, String> parameters) {
        return prune(model, strategyName, strategy, parameters, ParameterMasks.none());
    }

    /**
     * Prunes a model, keeping what earlier masks pruned pruned.
     *
     * @param model a valid model
     * @param strategyName the strategy's name, for the result
     * @param strategy the strategy
     * @param parameters the job's overrides of the strategy's parameters
     * @param previous masks from an earlier pruning (each is applied first and carried into the result)
     * @return the pruned model, or why it was not pruned
     * @throws io.penni.model.ModelException if the model is invalid
     */
    public static PruningOutcome prune(Model model, String strategyName, PruningStrategy strategy,
            Map<String, String> parameters, ParameterMasks previous) {
        return prune(model, strategyName, strategy, parameters, previous, false);
    }

    /**
     * Prunes a model, keeping what earlier masks pruned pruned, fully connected layers too when asked.
     *
     * @param model a valid model
     * @param strategyName the strategy's name, for the result
     * @param strategy the strategy
     * @param parameters the job's overrides of the strategy's parameters
     * @param previous masks from an earlier pruning (each is applied first and carried into the result)
     * @param linear whether the weights of fully connected layers but the output layer are prunable
     * @return the pruned model, or why it was not pruned
     * @throws io.penni.model.ModelException if the model is invalid
     */
    public static PruningOutcome prune(Model model, String strategyName, PruningStrategy strategy,
            Map<String, String> parameters, ParameterMasks previous, boolean linear) {
        ModelParameters.validate(model);
        String misfit = misfit(model, previous);
        if (!misfit.isEmpty()) {
            return new PruningOutcome.Rejected(misfit);
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, boolean[]> keep = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor.Bool> mask : previous.masks().entrySet()) {
            keep.put(mask.getKey(), mask.getValue().values().clone());
            float[] data = model.parameters().get(mask.getKey()).data().clone();
            applyMask(data, mask.getValue().values());
            values.put(mask.getKey(), data);
        }
        List<Prunable> prunables = prunables(model, linear);
        List<PrunableTensor> tensors = new ArrayList<>();
        for (Prunable p : prunables) {
            float[] data = values.computeIfAbsent(p.parameter(), n -> model.parameters().get(n).data().clone());
            boolean[] before = keep.computeIfAbsent(p.parameter(), n -> allTrue(data.length));
            // copies: a strategy that writes to what it is given must not change the model or the masks
            tensors.add(new PrunableTensor(p.layer().name(), p.kind(), tensors.size(),
                    model.parameters().get(p.parameter()).shape(), data.clone(), before.clone(),
                    basisNorms(model, p)));
        }
        MaskOutcome outcome;
        try {
            outcome = strategy.computeMask(List.copyOf(tensors), Map.copyOf(parameters));
        } catch (RuntimeException e) {
            return new PruningOutcome.Rejected("strategy " + strategyName + " failed: " + e);
        } catch (LinkageError e) {
            // a strategy whose bundle was uninstalled mid-job cannot load a class it had not loaded yet
            return new PruningOutcome.Rejected("strategy " + strategyName + " failed (was its bundle removed while "
                    + "it ran?): " + e);
        }
        if (outcome instanceof MaskOutcome.Invalid invalid) {
            return new PruningOutcome.Rejected(invalid.reason());
        }
        List<TensorMask> masks = ((MaskOutcome.Masks) outcome).masks();
        String broken = contractBreach(strategyName, tensors, masks);
        if (!broken.isEmpty()) {
            return new PruningOutcome.Rejected(broken);
        }
        List<String> violations = new ArrayList<>();
        List<LayerSparsity> layers = new ArrayList<>();
        for (int i = 0; i < prunables.size(); i++) {
            Prunable p = prunables.get(i);
            boolean[] before = keep.get(p.parameter());
            boolean[] after = masks.get(i).keep().clone();
            int revived = 0;
            for (int v = 0; v < after.length; v++) {
                if (after[v] && !before[v]) {
                    revived++;
                    after[v] = false;
                }
            }
            if (revived > 0) {
                violations.add("strategy " + strategyName + " kept " + revived + " values of " + p.parameter()
                        + " that an earlier mask pruned; they stay pruned");
            }
            keep.put(p.parameter(), after);
            applyMask(values.get(p.parameter()), after);
            killDeadFilters(model, p, values, keep);
            layers.add(new LayerSparsity(p.layer().name(), p.kind(), count(keep.get(p.parameter())), after.length));
        }
        Map<String, Tensor> updated = new LinkedHashMap<>(model.parameters());
        Map<String, StoredTensor.Bool> stored = new LinkedHashMap<>();
        for (Map.Entry<String, boolean[]> mask : keep.entrySet()) {
            int[] shape = model.parameters().get(mask.getKey()).shape();
            updated.put(mask.getKey(), new Tensor(shape, values.get(mask.getKey())));
            stored.put(mask.getKey(), new StoredTensor.Bool(shape, mask.getValue()));
        }
        Model pruned = new Model(model.network(), updated);
        return new PruningOutcome.Pruned(new PruneResult(pruned, new ParameterMasks(stored), layers, strategyName,
                violations));
    }

    /**
     * The tensors {@link #prune} hands to strategies, with all-true previous masks.
     *
     * @param model a valid model
     * @return the prunable tensors in network order (see the class description for which they are)
     * @throws io.penni.model.ModelException if the model is invalid
     */
    public static List<PrunableTensor> prunableTensors(Model model) {
        return prunableTensors(model, false);
    }

    /**
     * The tensors {@link #prune} hands to strategies, with all-true previous masks.
     *
     * @param model a valid model
     * @param linear whether the weights of fully connected layers but the output layer are prunable
     * @return the prunable tensors in network order
     * @throws io.penni.model.ModelException if the model is invalid
     */
    public static List<PrunableTensor> prunableTensors(Model model, boolean linear) {
        ModelParameters.validate(model);
        List<PrunableTensor> tensors = new ArrayList<>();
        for (Prunable p : prunables(model, linear)) {
            Tensor t = model.parameters().get(p.parameter());
            tensors.add(new PrunableTensor(p.layer().name(), p.kind(), tensors.size(), t.shape(), t.data(),
                    allTrue(t.size()), basisNorms(model, p)));
        }
        return tensors;
    }

    /** A prunable layer: its tensor's full name and kind, and how many values each output channel has. */
    private record Prunable(Layer layer, String parameter, TensorKind kind, int outChannels, boolean bias) {
    }

    private static List<Prunable> prunables(Model model, boolean linear) {
        Prunables prunables = new Prunables(linear ? java.util.Optional.of(model.network().output())
                : java.util.Optional.empty());
        for (Layer layer : model.network().layers()) {
            layer.accept(prunables);
        }
        return prunables.found;
    }

    /**
     * Finds the prunable layers in network order: every decomposed convolution's coefficients and every 1×1
     * convolution's weight but the first convolution's; nothing else has prunable values.
     */
    private static final class Prunables implements WeightedLayerVisitor<Void> {

        private final List<Prunable> found = new ArrayList<>();
        /** Whether no convolution has been seen yet. */
        private boolean first = true;
        /** When linear layers are prunable: the output layer, which is not. */
        private final java.util.Optional<String> linearExceptOutput;

        Prunables(java.util.Optional<String> linearExceptOutput) {
            this.linearExceptOutput = linearExceptOutput;
        }

        @Override
        public Void withoutParameters(Layer layer) {
            return null;
        }

        @Override
        public Void visitDecomposedConv2d(Layer.DecomposedConv2d l) {
            found.add(new Prunable(l, ParameterNames.of(l.name(), ParameterNames.COEFFICIENTS),
                    TensorKind.COEFFICIENTS, l.outChannels(), l.bias()));
            first = false;
            return null;
        }

        @Override
        public Void visitConv2d(Layer.Conv2d l) {
            if (l.kernel() == 1 && !first) {
                found.add(new Prunable(l, ParameterNames.of(l.name(), ParameterNames.WEIGHT),
                        TensorKind.CONV_WEIGHT, l.outChannels(), l.bias()));
            }
            first = false;
            return null;
        }

        /** Dense unless asked for; the output layer (the classifier) always stays dense. */
        @Override
        public Void visitLinear(Layer.Linear l) {
            if (linearExceptOutput.isPresent() && !linearExceptOutput.get().equals(l.name())) {
                found.add(new Prunable(l, ParameterNames.of(l.name(), ParameterNames.WEIGHT), TensorKind.LINEAR_WEIGHT,
                        l.outFeatures(), l.bias()));
            }
            return null;
        }

        @Override
        public Void visitBatchNorm(Layer.BatchNorm l) {
            return null;
        }
    }

    private static float[] basisNorms(Model model, Prunable p) {
        if (p.kind() != TensorKind.COEFFICIENTS) {
            return new float[0];
        }
        Tensor basis = model.parameters().get(ParameterNames.of(p.layer().name(), ParameterNames.BASIS));
        int d = basis.shape()[0];
        int kk = basis.shape()[1];
        float[] norms = new float[d];
        for (int j = 0; j < d; j++) {
            double sum = 0;
            for (int i = 0; i < kk; i++) {
                sum += (double) basis.data()[j * kk + i] * basis.data()[j * kk + i];
            }
            norms[j] = (float) Math.sqrt(sum);
        }
        return norms;
    }

    /** Zeroes the bias and the directly following batch norm's gamma and beta of every all-zero output channel. */
    private static void killDeadFilters(Model model, Prunable p, Map<String, float[]> values,
            Map<String, boolean[]> keep) {
        float[] data = values.get(p.parameter());
        boolean[] mask = keep.get(p.parameter());
        int perChannel = data.length / p.outChannels();
        List<String> followers = new ArrayList<>();
        if (p.bias()) {
            followers.add(ParameterNames.of(p.layer().name(), ParameterNames.BIAS));
        }
        for (Layer layer : model.network().layers()) {
            if (layer instanceof Layer.BatchNorm bn && bn.input().equals(p.layer().name())) {
                followers.add(ParameterNames.of(bn.name(), ParameterNames.GAMMA));
                followers.add(ParameterNames.of(bn.name(), ParameterNames.BETA));
            }
        }
        for (String follower : followers) {
            float[] followerData = values.computeIfAbsent(follower, n -> model.parameters().get(n).data().clone());
            keep.computeIfAbsent(follower, n -> allTrue(followerData.length));
        }
        for (int n = 0; n < p.outChannels(); n++) {
            if (!allZero(data, n * perChannel, (n + 1) * perChannel)) {
                continue;
            }
            // a dead filter stays dead through fine-tuning: its coefficients are masked even where a zero was kept
            Arrays.fill(mask, n * perChannel, (n + 1) * perChannel, false);
            for (String follower : followers) {
                values.get(follower)[n] = 0f;
                keep.get(follower)[n] = false;
            }
        }
    }

    private static String misfit(Model model, ParameterMasks previous) {
        for (Map.Entry<String, StoredTensor.Bool> mask : previous.masks().entrySet()) {
            Tensor parameter = model.parameters().get(mask.getKey());
            if (parameter == null) {
                return "previous mask '" + mask.getKey() + "' masks no parameter of network "
                        + model.network().name();
            }
            if (!Arrays.equals(parameter.shape(), mask.getValue().shape())) {
                return "previous mask '" + mask.getKey() + "' has shape " + Arrays.toString(mask.getValue().shape())
                        + ", the parameter has " + Arrays.toString(parameter.shape());
            }
        }
        return "";
    }

    private static String contractBreach(String strategy, List<PrunableTensor> tensors, List<TensorMask> masks) {
        if (masks.size() != tensors.size()) {
            return "strategy " + strategy + " returned " + masks.size() + " masks for " + tensors.size() + " tensors";
        }
        for (int i = 0; i < masks.size(); i++) {
            PrunableTensor tensor = tensors.get(i);
            TensorMask mask = masks.get(i);
            if (!mask.layer().equals(tensor.layer())) {
                return "strategy " + strategy + " returned mask " + i + " for layer '" + mask.layer() + "'; tensor " + i
                        + " is layer '" + tensor.layer() + "'";
            }
            if (mask.keep().length != tensor.values().length) {
                return "strategy " + strategy + " returned a mask of " + mask.keep().length + " values for layer "
                        + tensor.layer() + ", whose tensor has " + tensor.values().length;
            }
        }
        return "";
    }

    private static void applyMask(float[] data, boolean[] keep) {
        for (int i = 0; i < data.length; i++) {
            if (!keep[i]) {
                data[i] = 0f;
            }
        }
    }

    private static boolean allZero(float[] data, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data[i] != 0f) {
                return false;
            }
        }
        return true;
    }

    private static boolean[] allTrue(int n) {
        boolean[] keep = new boolean[n];
        Arrays.fill(keep, true);
        return keep;
    }

    private static long count(boolean[] keep) {
        long n = 0;
        for (boolean k : keep) {
            if (k) {
                n++;
            }
        }
        return n;
    }
}
