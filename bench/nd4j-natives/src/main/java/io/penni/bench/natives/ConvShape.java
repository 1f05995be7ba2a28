package io.penni.bench.natives;

import java.util.List;

import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * One 3×3 convolution to time: a batch of {@code inChannels × height × width} images (NCHW) convolved to
 * {@code outChannels} with SAME padding and stride 1, as in the small VGG and the CIFAR networks.
 *
 * @param name what the shape stands for, used as its key in the results
 * @param batch images per pass
 * @param inChannels input channels
 * @param outChannels output channels (filters)
 * @param height image height in pixels
 * @param width image width in pixels
 */
public record ConvShape(String name, int batch, int inChannels, int outChannels, int height, int width) {

    /** Side of the square kernel: PENNI decomposes 3×3 convolutions. */
    public static final int KERNEL = 3;

    /** Checks that every size is positive. */
    public ConvShape {
        if (batch < 1 || inChannels < 1 || outChannels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("conv shape " + name + ": every size must be positive");
        }
    }

    /**
     * The shapes that matter here: the three convolution stages of the small VGG on Fashion-MNIST and
     * one CIFAR-sized layer, all at batch 128.
     *
     * @return the shapes in the order they are timed
     */
    public static List<ConvShape> standard() {
        return List.of(
                new ConvShape("vgg28-conv1 1->32 @28x28", 128, 1, 32, 28, 28),
                new ConvShape("vgg28-conv2 32->64 @14x14", 128, 32, 64, 14, 14),
                new ConvShape("vgg28-conv3 64->64 @7x7", 128, 64, 64, 7, 7),
                new ConvShape("cifar 64->64 @32x32", 128, 64, 64, 32, 32));
    }

    /** @return the input's shape, NCHW */
    public long[] inputShape() {
        return new long[] {batch, inChannels, height, width};
    }

    /** @return SameDiff's configuration of this convolution: 3×3, stride 1, SAME padding, NCHW */
    public static Conv2DConfig conv2dConfig() {
        return Conv2DConfig.builder().kH(KERNEL).kW(KERNEL).sH(1).sW(1).paddingMode(PaddingMode.SAME)
                .dataFormat("NCHW").build();
    }

    /** @return the weights' shape in SameDiff's default layout [kH, kW, in, out] */
    public long[] weightShape() {
        return new long[] {KERNEL, KERNEL, inChannels, outChannels};
    }
}
