package io.penni.api.model;

/** Suffixes of parameter names: a layer {@code conv1}'s weight is {@code conv1.weight}. */
public interface ParameterNames {
    /** Convolution weight {@code [N, C/groups, k, k]} or linear weight {@code [out, in]}. */
    String WEIGHT = "weight";
    /** Bias {@code [N]}. */
    String BIAS = "bias";
    /** Shared basis kernels of a decomposed convolution, {@code [d, k*k]}. */
    String BASIS = "basis";
    /** Coefficients of a decomposed convolution, {@code [N, C, d]}. */
    String COEFFICIENTS = "coefficients";
    /** Batch-norm scale. */
    String GAMMA = "gamma";
    /** Batch-norm shift. */
    String BETA = "beta";
    /** Batch-norm running mean. */
    String RUNNING_MEAN = "running_mean";
    /** Batch-norm running variance. */
    String RUNNING_VAR = "running_var";

    /**
     * The full name of a layer's parameter.
     *
     * @param layer the layer's name
     * @param parameter one of the suffixes above
     * @return {@code layer + "." + parameter}
     */
    static String of(String layer, String parameter) {
        return layer + "." + parameter;
    }
}
