package io.penni.bench.natives;

import java.util.Map;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs one small SameDiff 3×3 conv2d forward + backward and nothing else, so that a JVM started with
 * {@code DNNL_VERBOSE=1} prints which instruction set and which convolution kernels oneDNN picked. run.sh
 * keeps those lines: they show whether a oneDNN build's own compile level matters for convolutions.
 */
public final class KernelProbe {

    private KernelProbe() {
    }

    /**
     * Runs the convolution.
     *
     * @param args none
     */
    public static void main(String[] args) {
        ConvShape shape = new ConvShape("probe 16->16 @14x14", 8, 16, 16, 14, 14);
        SameDiff sd = SameDiff.create();
        sd.var("input", Nd4j.rand(DataType.FLOAT, shape.inputShape()));
        sd.var("weight", Nd4j.rand(DataType.FLOAT, shape.weightShape()));
        sd.setLossVariables(sd.cnn().conv2d("output", sd.getVariable("input"), sd.getVariable("weight"),
                ConvShape.conv2dConfig()).sum("loss"));
        sd.calculateGradients(Map.of(), "input", "weight");
    }
}
