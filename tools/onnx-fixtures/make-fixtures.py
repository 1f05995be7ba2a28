#!/usr/bin/env python3
"""Writes the ONNX import test fixtures: small torchvision-style networks exported by torch.onnx.export, each with
a seeded input batch and PyTorch's output for it (the golden values the Java tests compare against).

Run from the repository root with the Debian packages python3-torch, python3-torchvision and python3-onnx:

    /usr/bin/python3 tools/onnx-fixtures/make-fixtures.py

It writes into bundles/penni-onnx/src/test/resources/io/penni/onnx/fixtures/:
  NAME.onnx              the exported model
  NAME.input.f32         the input batch, float32 little-endian, row-major
  NAME.output.f32        PyTorch's output for it, float32 little-endian, row-major
  golden.properties      NAME.input / NAME.output shapes, NAME.opset, and how it was exported
The tests need no Python: the files are committed. Widths are small so the files stay a few hundred KB at most.
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.onnx import TrainingMode

OUT = os.path.join("bundles", "penni-onnx", "src", "test", "resources", "io", "penni", "onnx", "fixtures")
# the request intake's tests: a model that fits Fashion-MNIST and one that does not
REQUESTS = os.path.join("bundles", "penni-pipeline", "src", "test", "resources", "io", "penni", "pipeline", "onnx")


class BasicBlock(nn.Module):
    """torchvision's ResNet basic block; the shortcut is a 1x1 conv + BN when the shape changes."""

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class CifarResNet(nn.Module):
    """A CIFAR ResNet: 3x3 stem, one block per stage (8, 16, 32 channels; the last two downsample), GAP, FC 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = BasicBlock(8, 8, 1)
        self.layer2 = BasicBlock(8, 16, 2)
        self.layer3 = BasicBlock(16, 32, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class SmallVgg(nn.Module):
    """VGG with BN: conv-BN-ReLU pairs and max pools, then dropout and two FC layers; flattens with x.view(n, -1)."""

    def __init__(self):
        super().__init__()
        layers = []
        channels = 3
        for width in (8, "M", 16, 16, "M", 32, "M"):
            if width == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(channels, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
                channels = width
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(32 * 4 * 4, 24), nn.ReLU(True), nn.Linear(24, 10))

    def forward(self, x):
        x = self.features(x)
        return self.classifier(x.view(x.size(0), -1))


class DepthwiseNet(nn.Module):
    """A MobileNet-style block with ReLU: conv, depthwise 3x3 (stride 2), pointwise 1x1, average pool, GAP, and a
    classifier written as x @ W + b (exported as MatMul + Add)."""

    def __init__(self, relu6=False):
        super().__init__()
        act = nn.ReLU6 if relu6 else nn.ReLU
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), act(inplace=True))
        self.depthwise = nn.Sequential(nn.Conv2d(16, 16, 3, 2, 1, groups=16, bias=False), nn.BatchNorm2d(16),
                                       act(inplace=True))
        self.pointwise = nn.Sequential(nn.Conv2d(16, 24, 1, bias=False), nn.BatchNorm2d(24), act(inplace=True))
        self.pool = nn.AvgPool2d(2, 2)
        self.weight = nn.Parameter(torch.randn(24, 10) * 0.2)
        self.bias = nn.Parameter(torch.randn(10) * 0.1)

    def forward(self, x):
        x = self.pool(self.pointwise(self.depthwise(self.stem(x))))
        x = F.adaptive_avg_pool2d(x, 1).squeeze(3).squeeze(2)
        return torch.matmul(x, self.weight) + self.bias


class SmallCnn(nn.Module):
    """Two conv-BN-ReLU-pool stages and a classifier, for square images of one size (28: Fashion-MNIST)."""

    def __init__(self, channels, size):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(channels, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(True),
                                      nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16),
                                      nn.ReLU(True), nn.MaxPool2d(2))
        self.classifier = nn.Linear(16 * (size // 4) ** 2, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class ZeroPadNet(nn.Module):
    """Asymmetric zero padding as PyTorch exports it: ZeroPad2d((0, 1, 0, 1)) before a stride-2 3x3 conv (TensorFlow's
    SAME at stride 2) and F.pad before a 2x2 conv (what padding='same' does for an even kernel), each a Pad node whose
    pads come from a ConstantOfShape/Concat/Reshape/Slice/Transpose/Cast chain. On 16x16 images both pads change the
    output size (8 where no padding gives 7)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(True))
        self.down = nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(8, 16, 3, 2, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU(True))
        self.same = nn.Conv2d(16, 16, 2)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.down(self.stem(x))
        x = F.relu(self.same(F.pad(x, (0, 1, 0, 1))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class PaddedWindowsNet(nn.Module):
    """Asymmetric pads on a conv, a max pool and an average pool. PyTorch can only write them as Pad nodes (zeros
    before the conv and the average pool, -inf before the max pool); fold_pads() then moves each into its consumer's
    pads attribute [0, 0, 1, 1] with the onnx helper, as TensorFlow converters write SAME padding."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.down = nn.Conv2d(8, 16, 3, 2)
        self.fc = nn.Linear(16 * 2 * 2, 10)

    def forward(self, x):
        x = F.relu(self.stem(x))
        x = F.relu(self.down(F.pad(x, (0, 1, 0, 1))))
        x = F.max_pool2d(F.pad(x, (0, 1, 0, 1), value=float("-inf")), 3, 2)
        x = F.avg_pool2d(F.pad(x, (0, 1, 0, 1)), 3, 2)
        return self.fc(torch.flatten(x, 1))


def fold_pads(path, pads):
    """Rewrites an exported model: each Pad node is dropped and its pads (the same for every one, [top, left,
    bottom, right]) become the pads attribute of the Conv, MaxPool or AveragePool reading it (an average pool
    counting the padded zeros); the integer arithmetic only the Pads read goes too."""
    model = onnx.load(path)
    graph = model.graph
    pad_inputs = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "Pad"}
    kept = []
    for node in graph.node:
        if node.op_type == "Pad":
            continue
        if node.input and node.input[0] in pad_inputs:
            # through the all-zero Pad PyTorch puts before an average pool as well
            while node.input[0] in pad_inputs:
                node.input[0] = pad_inputs[node.input[0]]
            for a in list(node.attribute):
                if a.name in ("pads", "count_include_pad"):
                    node.attribute.remove(a)
            node.attribute.append(onnx.helper.make_attribute("pads", pads))
            if node.op_type == "AveragePool":
                node.attribute.append(onnx.helper.make_attribute("count_include_pad", 1))
        kept.append(node)
    needed = {o.name for o in graph.output}
    live = []
    for node in reversed(kept):
        if any(o in needed for o in node.output):
            live.append(node)
            needed.update(i for i in node.input if i)
    del graph.node[:]
    graph.node.extend(reversed(live))
    onnx.checker.check_model(model)
    onnx.save(model, path)
    print(f"  pads folded: ops {sorted({n.op_type for n in graph.node})}")


def randomise_batch_norm(model, generator):
    """Trained-looking running statistics and affine parameters, so a wrong BN import shows in the outputs."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=generator) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=generator) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(m.num_features, generator=generator) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(m.num_features, generator=generator) * 0.1)


def export(name, model, opset, training, constant_folding, dynamic_batch, properties, how, size=32, channels=3,
           out=OUT, rewrite=None):
    generator = torch.Generator().manual_seed(sum(map(ord, name)))
    randomise_batch_norm(model, generator)
    model.eval()
    images = torch.randn(2, channels, size, size, generator=generator)
    with torch.no_grad():
        expected = model(images)
    path = os.path.join(out, name + ".onnx")
    torch.onnx.export(model, images, path, opset_version=opset, training=training,
                      do_constant_folding=constant_folding, input_names=["images"], output_names=["logits"],
                      dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}} if dynamic_batch else None)
    onnx.checker.check_model(onnx.load(path))
    if rewrite:
        rewrite(path)
    print(f"{name}: opset {opset}, {os.path.getsize(path)} bytes, ops {sorted({n.op_type for n in onnx.load(path).graph.node})}")
    if out != OUT:
        return
    images.numpy().astype("<f4").tofile(os.path.join(OUT, name + ".input.f32"))
    expected.numpy().astype("<f4").tofile(os.path.join(OUT, name + ".output.f32"))
    properties.append(f"# {name}: {how}")
    properties.append(f"{name}.input={','.join(map(str, images.shape))}")
    properties.append(f"{name}.output={','.join(map(str, expected.shape))}")
    properties.append(f"{name}.opset={opset}")


def main():
    if not os.path.isdir(os.path.join("bundles", "penni-onnx")):
        sys.exit("run from the repository root")
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(REQUESTS, exist_ok=True)
    torch.manual_seed(20260)
    properties = ["# Written by tools/onnx-fixtures/make-fixtures.py with torch " + torch.__version__
                  + ": input and output shapes of each fixture's golden batch"]
    export("resnet-bn", CifarResNet(), 13, TrainingMode.PRESERVE, False, True, properties,
           "CIFAR ResNet with downsampling shortcuts, BN kept, symbolic batch, Flatten")
    export("resnet-folded", CifarResNet(), 17, TrainingMode.EVAL, True, False, properties,
           "the same ResNet exported in eval mode: BN folded into conv biases")
    export("vgg-bn", SmallVgg(), 9, TrainingMode.PRESERVE, False, True, properties,
           "VGG with BN kept, view(n, -1) as a Shape/Gather/Unsqueeze/Concat/Reshape chain (eval drops Dropout)")
    export("vgg-folded", SmallVgg(), 11, TrainingMode.EVAL, True, False, properties,
           "VGG exported in eval mode with constant folding: BN folded into conv biases, Reshape by a constant")
    export("depthwise", DepthwiseNet(), 11, TrainingMode.PRESERVE, False, True, properties,
           "depthwise block, average pool, Squeeze, MatMul + Add")
    export("depthwise-relu6", DepthwiseNet(relu6=True), 11, TrainingMode.EVAL, True, False, properties,
           "the depthwise block with ReLU6 (Clip(0, 6)), imported as a bounded ReLU")
    export("fashion-cnn", SmallCnn(1, 28), 17, TrainingMode.EVAL, True, True, properties,
           "a small CNN for 1x28x28 images (Fashion-MNIST), BN folded", size=28, channels=1)
    export("fashion-cnn", SmallCnn(1, 28), 17, TrainingMode.EVAL, True, True, properties,
           "the same, for the request intake's tests", size=28, channels=1, out=REQUESTS)
    export("cifar-cnn", SmallCnn(3, 32), 17, TrainingMode.EVAL, True, True, properties,
           "a CNN for 3x32x32 images, which Fashion-MNIST cannot feed", size=32, channels=3, out=REQUESTS)
    # last, so that the models above are initialised from the same random numbers as before they were added
    export("zero-pad", ZeroPadNet(), 11, TrainingMode.EVAL, True, True, properties,
           "ZeroPad2d((0, 1, 0, 1)) + stride-2 conv and F.pad + 2x2 conv: Pad nodes folded into the convs", size=16)
    export("asymmetric-pads", PaddedWindowsNet(), 13, TrainingMode.EVAL, True, True, properties,
           "Conv, MaxPool and AveragePool with pads [0, 0, 1, 1] (the exported Pads folded in by the onnx helper)",
           size=16, rewrite=lambda path: fold_pads(path, [0, 0, 1, 1]))
    with open(os.path.join(OUT, "golden.properties"), "w") as f:
        f.write("\n".join(properties) + "\n")


if __name__ == "__main__":
    main()
