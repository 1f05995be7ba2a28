package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.osgi.test.common.annotation.InjectService;

import io.penni.api.compute.TensorRuntime;

/**
 * A SameDiff 3×3 convolution, forward and backward, from inside a bundle that only imports ND4J's packages
 * from the penni-nd4j bundle; checked against sums computed by hand.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class Nd4jInFrameworkTest {

    @Test
    void conv2dForwardAndBackwardRunInsideABundle(@InjectService TensorRuntime runtime) {
        float[] image = new float[16];
        for (int i = 0; i < 16; i++) {
            image[i] = i;
        }
        SameDiff sd = SameDiff.create();
        SDVariable input = sd.var("input", Nd4j.create(image, new long[] {1, 1, 4, 4}));
        SDVariable weight = sd.var("weight", Nd4j.ones(DataType.FLOAT, 3, 3, 1, 1));
        SDVariable output = sd.cnn().conv2d("output", input, weight,
                Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).paddingMode(PaddingMode.VALID).dataFormat("NCHW").build());
        sd.setLossVariables(output.sum("loss"));

        INDArray forward = output.eval();
        Map<String, INDArray> gradients = sd.calculateGradients(null, "weight");

        // each output is the sum of a 3x3 window of 0..15 laid out 4x4
        assertArrayEquals(new float[] {45, 54, 81, 90}, forward.reshape(4).toFloatVector(), 1e-4f);
        // d(sum of outputs)/d(weight[y][x]) = sum of the four inputs that weight touches
        float[] expected = new float[9];
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                for (int oy = 0; oy < 2; oy++) {
                    for (int ox = 0; ox < 2; ox++) {
                        expected[y * 3 + x] += image[(oy + y) * 4 + ox + x];
                    }
                }
            }
        }
        assertArrayEquals(expected, gradients.get("weight").reshape(9).toFloatVector(), 1e-4f);
    }
}
