package io.penni.decomposer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.penni.api.model.Layer;
import io.penni.api.model.Model;
import io.penni.api.model.Network;
import io.penni.api.model.ParameterNames;
import io.penni.api.model.Tensor;
import io.penni.decomposer.internal.SymmetricEigen;
import io.penni.model.ModelParameters;

/**
 * PENNI's first step: every k×k convolution (k &gt; 1, one group) becomes a {@link Layer.DecomposedConv2d} of the
 * same name, stride, padding and bias, whose N·C kernels are combinations of d shared basis kernels.
 *
 * <p>The N·C kernels of a layer are the rows of a matrix K {@code [N·C, k·k]}. Its best rank-d approximation in
 * the Frobenius norm (Eckart–Young) is K·V_d·V_dᵀ, with V_d the top d right singular vectors: the basis is
 * V_dᵀ {@code [d, k·k]} and the coefficients are K·V_d {@code [N·C, d]}. The SVD is uncentred, i.e. the mean
 * kernel is not subtracted first (a centred PCA would not be the optimal factorisation, and the paper's layer
 * has no place for a mean). V and σ² come from a Jacobi eigen-decomposition of the Gram matrix KᵀK, which is
 * only k·k × k·k, in double precision. 1×1 and grouped convolutions stay dense.
 */
public final class BasisDecomposer {

    private BasisDecomposer() {
    }

    /**
     * Decomposes every decomposable convolution of a model; other layers and their parameters are unchanged.
     *
     * @param model a valid model
     * @param settings d per layer
     * @return the decomposed model and each decomposed layer's singular values and error
     * @throws io.penni.model.ModelException if the model is invalid
     * @throws IllegalArgumentException if the settings name a layer that is not a decomposable convolution
     */
    public static Decomposition decompose(Model model, DecompositionSettings settings) {
        ModelParameters.validate(model);
        checkNames(model.network(), settings);
        Map<String, Tensor> parameters = new LinkedHashMap<>(model.parameters());
        List<Layer> layers = new ArrayList<>();
        List<LayerDecomposition> reports = new ArrayList<>();
        for (Layer layer : model.network().layers()) {
            if (layer instanceof Layer.Conv2d conv && decomposable(conv)) {
                int kk = conv.kernel() * conv.kernel();
                int requested = settings.basesOf(conv.name());
                int bases = Math.min(requested, kk);
                String weight = ParameterNames.of(conv.name(), ParameterNames.WEIGHT);
                Factors factors = factorise(parameters.remove(weight).data(), kk, bases);
                parameters.put(ParameterNames.of(conv.name(), ParameterNames.BASIS),
                        new Tensor(new int[] {bases, kk}, factors.basis()));
                parameters.put(ParameterNames.of(conv.name(), ParameterNames.COEFFICIENTS),
                        new Tensor(new int[] {conv.outChannels(), conv.inChannels(), bases}, factors.coefficients()));
                layers.add(new Layer.DecomposedConv2d(conv.name(), conv.input(), conv.outChannels(),
                        conv.inChannels(), conv.kernel(), conv.stride(), conv.padding(), bases, conv.bias()));
                reports.add(new LayerDecomposition(conv.name(), conv.kernel(), requested, bases,
                        factors.relativeError(), factors.singularValues()));
            } else {
                layers.add(layer);
            }
        }
        Network network = model.network();
        Model decomposed = new Model(new Network(network.name(), layers, network.output()), parameters);
        ModelParameters.validate(decomposed);
        return new Decomposition(decomposed, reports);
    }

    /**
     * Whether a convolution is decomposed: a k×k kernel with k &gt; 1 and one group. A 1×1 kernel has nothing to
     * share, and a grouped convolution's kernels do not all see every input channel.
     *
     * @param conv the convolution
     * @return whether {@link #decompose} replaces it
     */
    public static boolean decomposable(Layer.Conv2d conv) {
        return conv.kernel() > 1 && conv.groups() == 1;
    }

    private static void checkNames(Network network, DecompositionSettings settings) {
        Set<String> decomposable = new TreeSet<>();
        for (Layer layer : network.layers()) {
            if (layer instanceof Layer.Conv2d conv && decomposable(conv)) {
                decomposable.add(conv.name());
            }
        }
        for (String name : new TreeSet<>(settings.perLayer().keySet())) {
            if (!decomposable.contains(name)) {
                throw new IllegalArgumentException("bases are set for layer '" + name + "', which is not a k×k "
                        + "convolution of network " + network.name() + " (" + decomposable.size()
                        + " decomposable layers, e.g. " + decomposable.stream().limit(3).toList() + ")");
            }
        }
    }

    private record Factors(float[] basis, float[] coefficients, double relativeError, List<Double> singularValues) {
    }

    /** The rank-d factors of the kernel matrix {@code weight} (rows of kk values). */
    private static Factors factorise(float[] weight, int kk, int bases) {
        int rows = weight.length / kk;
        double[][] gram = new double[kk][kk];
        for (int r = 0; r < rows; r++) {
            int at = r * kk;
            for (int i = 0; i < kk; i++) {
                double ki = weight[at + i];
                if (ki == 0) {
                    continue;
                }
                for (int l = i; l < kk; l++) {
                    gram[i][l] += ki * weight[at + l];
                }
            }
        }
        for (int i = 0; i < kk; i++) {
            for (int l = 0; l < i; l++) {
                gram[i][l] = gram[l][i];
            }
        }
        SymmetricEigen eigen = SymmetricEigen.of(gram);
        List<Double> singularValues = new ArrayList<>();
        for (double value : eigen.values()) {
            // rounding can leave a zero eigenvalue of a positive semi-definite matrix slightly negative
            singularValues.add(Math.sqrt(Math.max(value, 0)));
        }
        float[] basis = new float[bases * kk];
        for (int j = 0; j < bases; j++) {
            for (int i = 0; i < kk; i++) {
                basis[j * kk + i] = (float) eigen.vectors()[i][j];
            }
        }
        float[] coefficients = new float[rows * bases];
        double error = 0;
        double norm = 0;
        for (int r = 0; r < rows; r++) {
            int at = r * kk;
            for (int j = 0; j < bases; j++) {
                double sum = 0;
                for (int i = 0; i < kk; i++) {
                    sum += weight[at + i] * eigen.vectors()[i][j];
                }
                coefficients[r * bases + j] = (float) sum;
            }
            // the error of what is stored: the float32 factors, not the double-precision ones
            for (int i = 0; i < kk; i++) {
                double rebuilt = 0;
                for (int j = 0; j < bases; j++) {
                    rebuilt += (double) coefficients[r * bases + j] * basis[j * kk + i];
                }
                double w = weight[at + i];
                error += (w - rebuilt) * (w - rebuilt);
                norm += w * w;
            }
        }
        double relative = norm == 0 ? 0 : Math.sqrt(error / norm);
        return new Factors(basis, coefficients, relative, singularValues);
    }
}
