package io.penni.model.internal;

import io.penni.api.model.Network;

/**
 * The built-in network graphs. Residual networks use torchvision's layer names ({@code layer2.0.conv1},
 * {@code layer2.0.downsample.0}), so parameter names match PyTorch state dicts. A convolution followed by
 * batch norm has no bias, as in the originals.
 */
public final class BuiltInNetworks {

    private BuiltInNetworks() {
    }

    /**
     * A small VGG for 28×28 grey images: three stages of two 3×3 conv + BN + ReLU (32, 64, 128 channels)
     * each followed by 2×2 max pooling (28 → 14 → 7 → 3), then 1152 → 128 → 10 with dropout; about 0.43 M
     * parameters, small enough to train on two CPU cores.
     *
     * @return the graph
     */
    public static Network vggSmall() {
        NetworkBuilder b = new NetworkBuilder("vgg-small");
        String x = vggStages(b, b.input("input", 1, 28, 28), new int[][] {{32, 32}, {64, 64}, {128, 128}});
        x = b.flatten("flatten", x);
        x = b.linear("fc1", x, 128);
        x = b.relu("relu_fc1", x);
        x = b.dropout("dropout", x, 0.5);
        return b.build(b.linear("fc2", x, 10));
    }

    /**
     * A small ResNet for 28×28 grey images: a 3×3 stem to 16 channels, three stages of two basic blocks
     * (16, 32, 64 channels; 28 → 14 → 7), a strided 1×1 conv + BN shortcut where the shape changes, global
     * average pooling and FC 10.
     *
     * @return the graph
     */
    public static Network resnetSmall() {
        return smallImageResNet("resnet-small", 1, 28, new int[] {16, 32, 64}, new int[] {2, 2, 2});
    }

    /**
     * VGG16 for CIFAR-10 with batch norm: 13 3×3 conv + BN + ReLU (64, 64, M, 128, 128, M, 256 ×3, M, 512 ×3,
     * M, 512 ×3, M), leaving 512×1×1, then one FC 512 → 10.
     *
     * @return the graph
     */
    public static Network vgg16Cifar() {
        NetworkBuilder b = new NetworkBuilder("vgg16-cifar");
        String x = vggStages(b, b.input("input", 3, 32, 32),
                new int[][] {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}});
        x = b.flatten("flatten", x);
        return b.build(b.linear("fc", x, 10));
    }

    /**
     * ResNet-18 for CIFAR-10: a 3×3 stride-1 stem to 64 channels and no max pool, four stages of two basic
     * blocks (64, 128, 256, 512; strides 1, 2, 2, 2) with 1×1 conv + BN shortcuts, global average pooling
     * (over 4×4) and FC 512 → 10.
     *
     * @return the graph
     */
    public static Network resnet18Cifar() {
        return smallImageResNet("resnet18-cifar", 3, 32, new int[] {64, 128, 256, 512}, new int[] {2, 2, 2, 2});
    }

    /**
     * ResNet-56 for CIFAR-10 (He et al. 2016, section 4.2): a 3×3 stem to 16 channels, three stages of nine
     * basic blocks (16, 32, 64 channels), global average pooling and FC 64 → 10. The two shortcuts that change
     * shape are 1×1 conv + BN ("option B"), not the paper's zero-padding identity ("option A"): a real layer
     * that channel shrinking can follow, for 2,752 more parameters and 0.26 M more MACs.
     *
     * @return the graph
     */
    public static Network resnet56Cifar() {
        return smallImageResNet("resnet56-cifar", 3, 32, new int[] {16, 32, 64}, new int[] {9, 9, 9});
    }

    /**
     * AlexNet with torchvision's shapes: 224×224×3, five convolutions with bias (64 11×11/4, 192 5×5,
     * 384, 256, 256 3×3), three 3×3/2 max pools, dropout, FC 9216 → 4096 → 4096 → 1000. torchvision's
     * adaptive 6×6 average pool is left out: at 224×224 its input is already 6×6, so it is the identity.
     *
     * @return the graph
     */
    public static Network alexnet() {
        NetworkBuilder b = new NetworkBuilder("alexnet");
        String x = b.input("input", 3, 224, 224);
        x = b.relu("relu1", b.conv("conv1", x, 64, 11, 4, 2, true));
        x = b.maxPool("pool1", x, 3, 2, 0);
        x = b.relu("relu2", b.conv("conv2", x, 192, 5, 1, 2, true));
        x = b.maxPool("pool2", x, 3, 2, 0);
        x = b.relu("relu3", b.conv("conv3", x, 384, 3, 1, 1, true));
        x = b.relu("relu4", b.conv("conv4", x, 256, 3, 1, 1, true));
        x = b.relu("relu5", b.conv("conv5", x, 256, 3, 1, 1, true));
        x = b.maxPool("pool3", x, 3, 2, 0);
        x = b.flatten("flatten", x);
        x = b.dropout("dropout1", x, 0.5);
        x = b.relu("relu6", b.linear("fc1", x, 4096));
        x = b.dropout("dropout2", x, 0.5);
        x = b.relu("relu7", b.linear("fc2", x, 4096));
        return b.build(b.linear("fc3", x, 1000));
    }

    /**
     * ResNet-50 v1.5 with torchvision's shapes: 224×224×3, a 7×7/2 stem to 64 channels, 3×3/2 max pool, four
     * stages of 3, 4, 6, 3 bottleneck blocks (widths 64, 128, 256, 512, expansion 4) whose stride sits on the
     * 3×3 convolution (v1.5), 1×1 conv + BN shortcuts, global average pooling and FC 2048 → 1000.
     *
     * @return the graph
     */
    public static Network resnet50() {
        NetworkBuilder b = new NetworkBuilder("resnet50");
        String x = b.input("input", 3, 224, 224);
        x = b.conv("conv1", x, 64, 7, 2, 3, false);
        x = b.relu("relu", b.batchNorm("bn1", x));
        x = b.maxPool("maxpool", x, 3, 2, 1);
        int[] widths = {64, 128, 256, 512};
        int[] blocks = {3, 4, 6, 3};
        for (int stage = 0; stage < widths.length; stage++) {
            for (int block = 0; block < blocks[stage]; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                x = bottleneck(b, "layer" + (stage + 1) + "." + block, x, widths[stage], stride);
            }
        }
        x = b.globalAvgPool("avgpool", x);
        return b.build(b.linear("fc", x, 1000));
    }

    /** 3×3 conv + BN + ReLU stages, each ending in 2×2 max pooling; layers numbered conv1, bn1, relu1, ... */
    private static String vggStages(NetworkBuilder b, String from, int[][] stages) {
        String x = from;
        int conv = 0;
        for (int stage = 0; stage < stages.length; stage++) {
            for (int width : stages[stage]) {
                conv++;
                x = convBnRelu(b, "conv" + conv, "bn" + conv, "relu" + conv, x, width, 3, 1);
            }
            x = b.maxPool("pool" + (stage + 1), x, 2, 2, 0);
        }
        return x;
    }

    /**
     * The residual network for small square images: a 3×3 stride-1 stem (no max pool) to the first width,
     * stages of basic blocks, global average pooling, FC 10.
     */
    private static Network smallImageResNet(String name, int channels, int size, int[] widths, int[] blocks) {
        NetworkBuilder b = new NetworkBuilder(name);
        String x = b.input("input", channels, size, size);
        x = convBnRelu(b, "conv1", "bn1", "relu", x, widths[0], 3, 1);
        x = basicStages(b, x, widths, blocks);
        x = b.globalAvgPool("avgpool", x);
        return b.build(b.linear("fc", x, 10));
    }

    private static String convBnRelu(NetworkBuilder b, String conv, String bn, String relu, String from, int out,
            int kernel, int stride) {
        return b.relu(relu, b.batchNorm(bn, b.conv(conv, from, out, kernel, stride, false)));
    }

    /** Stages of basic blocks; every stage after the first halves the size. */
    private static String basicStages(NetworkBuilder b, String from, int[] widths, int[] blocks) {
        String x = from;
        for (int stage = 0; stage < widths.length; stage++) {
            for (int block = 0; block < blocks[stage]; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                x = basicBlock(b, "layer" + (stage + 1) + "." + block, x, widths[stage], stride);
            }
        }
        return x;
    }

    /** Two 3×3 conv + BN with a ReLU between, a shortcut, the sum, a ReLU. */
    private static String basicBlock(NetworkBuilder b, String prefix, String from, int width, int stride) {
        String x = convBnRelu(b, prefix + ".conv1", prefix + ".bn1", prefix + ".relu1", from, width, 3, stride);
        x = b.batchNorm(prefix + ".bn2", b.conv(prefix + ".conv2", x, width, 3, 1, false));
        String shortcut = shortcut(b, prefix, from, width, stride);
        return b.relu(prefix + ".relu2", b.sum(prefix + ".add", x, shortcut));
    }

    /** 1×1 reduce, 3×3 (carrying the stride), 1×1 expand to 4× width, a shortcut, the sum, a ReLU. */
    private static String bottleneck(NetworkBuilder b, String prefix, String from, int width, int stride) {
        String x = convBnRelu(b, prefix + ".conv1", prefix + ".bn1", prefix + ".relu1", from, width, 1, 1);
        x = convBnRelu(b, prefix + ".conv2", prefix + ".bn2", prefix + ".relu2", x, width, 3, stride);
        x = b.batchNorm(prefix + ".bn3", b.conv(prefix + ".conv3", x, width * 4, 1, 1, false));
        String shortcut = shortcut(b, prefix, from, width * 4, stride);
        return b.relu(prefix + ".relu3", b.sum(prefix + ".add", x, shortcut));
    }

    /** The identity, or a strided 1×1 conv + BN where the block changes the shape. */
    private static String shortcut(NetworkBuilder b, String prefix, String from, int out, int stride) {
        if (stride == 1 && b.shape(from).channels() == out) {
            return from;
        }
        String conv = b.conv(prefix + ".downsample.0", from, out, 1, stride, 0, false);
        return b.batchNorm(prefix + ".downsample.1", conv);
    }
}
