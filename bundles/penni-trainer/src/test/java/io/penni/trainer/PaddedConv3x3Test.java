package io.penni.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The direct 3 × 3 convolution against ND4J's {@code conv2d} and {@code conv2d_bp} (oneDNN): the output, the input's
 * gradient and the kernel's gradient, for channel counts on and off its blocks of 8 and 2, one channel, maps from
 * 1 × 1 to 28 × 28 and not square, and a batch split across threads in uneven shares.
 */
class PaddedConv3x3Test {

    /** Float sums in different orders: relative to the tensor's largest value. */
    private static final double TOLERANCE = 1e-5;

    @Test
    void matchesNd4jOnEveryShapeItServes() {
        int[][] cases = {
            // images, in, out, height, width
            {3, 1, 16, 28, 28}, {2, 16, 16, 28, 28}, {5, 3, 9, 5, 9}, {2, 17, 7, 7, 7}, {1, 2, 3, 1, 1},
            {4, 8, 1, 2, 3}, {3, 32, 32, 14, 14}, {2, 5, 19, 3, 11},
        };
        for (int[] c : cases) {
            check(c[0], c[1], c[2], c[3], c[4]);
        }
    }

    private static void check(int images, int in, int out, int height, int width) {
        String what = images + "x" + in + "x" + height + "x" + width + " -> " + out;
        Nd4j.getRandom().setSeed(31L * in + out + height);
        INDArray x = Nd4j.rand(DataType.FLOAT, images, in, height, width).subi(0.5);
        INDArray w = Nd4j.rand(DataType.FLOAT, out, in, 3, 3).subi(0.5);
        INDArray gy = Nd4j.rand(DataType.FLOAT, images, out, height, width).subi(0.5);
        int[] args = {3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1};
        INDArray y = Nd4j.create(DataType.FLOAT, images, out, height, width);
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, w).addOutputs(y).addIntegerArguments(args).build());
        INDArray gx = Nd4j.create(DataType.FLOAT, images, in, height, width);
        INDArray gw = Nd4j.create(DataType.FLOAT, out, in, 3, 3);
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, gy).addOutputs(gx, gw)
                .addIntegerArguments(args).build());

        PaddedConv3x3 conv = new PaddedConv3x3(height, width);
        float[] px = new float[Math.toIntExact(conv.floats((long) images * in))];
        float[] pg = new float[Math.toIntExact(conv.floats((long) images * out))];
        conv.pack(x.data().asNioFloat(), 0, px, 0, images * in);
        conv.pack(gy.data().asNioFloat(), 0, pg, 0, images * out);
        float[] weights = w.data().asFloat();
        // the batch in two uneven shares, as two threads would take it
        int split = images / 3;
        INDArray y2 = Nd4j.create(DataType.FLOAT, images, out, height, width);
        FloatBuffer ys = y2.data().asNioFloat();
        conv.correlate(px, in, weights, out, ys, 0, 0, split);
        conv.correlate(px, in, weights, out, ys, 0, split, images);
        INDArray gx2 = Nd4j.create(DataType.FLOAT, images, in, height, width);
        float[] flipped = PaddedConv3x3.flipped(weights, in, out);
        conv.correlate(pg, out, flipped, in, gx2.data().asNioFloat(), 0, 0, images);
        float[] gw2 = new float[out * in * 9];
        int pairs = in * ((out + 1) / 2);
        conv.kernelGradient(px, in, pg, out, images, gw2, 0, pairs / 2);
        conv.kernelGradient(px, in, pg, out, images, gw2, pairs / 2, pairs);

        close(y, y2, what + " output");
        close(gx, gx2, what + " input gradient");
        close(gw, Nd4j.createFromArray(gw2).reshape(out, in, 3, 3), what + " kernel gradient");
    }

    private static void close(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-6, expected.amaxNumber().doubleValue());
        double error = expected.sub(actual).amaxNumber().doubleValue() / scale;
        assertTrue(error <= TOLERANCE, what + ": relative error " + error);
    }
}
