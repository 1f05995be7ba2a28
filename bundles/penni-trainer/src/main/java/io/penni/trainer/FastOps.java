package io.penni.trainer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;

/**
 * Graph operations written so that their backward pass runs on ND4J's fast forward kernels, where the op ND4J
 * 1.0.0-M2.1 would use has a slow backward kernel.
 */
final class FastOps {

    private FastOps() {
    }

    /**
     * max(x, 0). ND4J's {@code relu} differentiates through {@code thresholdedrelu_bp}, which calls a
     * {@code std::function} per element; the scalar maximum's gradient is the incoming one times {@code x > 0},
     * a comparison, a cast and a product (the same values: zero where x ≤ 0).
     */
    static SDVariable relu(SameDiff sd, SDVariable x) {
        return new ScalarMax(sd, x, 0.0).outputVariable();
    }
}
