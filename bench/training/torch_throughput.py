#!/usr/bin/python3
"""PyTorch's CPU training throughput on the networks the SameDiff trainer trains (issue 19's reference).

A benchmark-only reference, never a dependency of the server: the Debian package python3-torch (1.13) on the same
cores. One epoch over the first IMAGES Fashion-MNIST training images (real data, read from the IDX files, normalised
by the set's mean and std) at batch 128, SGD with momentum 0.9, Nesterov, weight decay 1e-4, learning rate 0.01,
cross-entropy -- what the trainer's pretraining does. 'decomposed' is the network after PENNI's decomposition as the
trainer computes it: each 3x3 conv's kernel formed from d shared basis kernels and a coefficient matrix (a small
product each step), then one convolution. Prints one JSON line: images/s of the measured epoch after a warm-up.

Usage: torch_throughput.py ARCH VARIANT [images, default 5120] [threads, default 2]
"""
import gzip
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
BATCH = 128


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


class Conv(nn.Module):
    """A bias-free 3x3 (or 1x1) convolution, dense or as PENNI's basis x coefficients."""

    def __init__(self, cin, cout, k, stride, pad, bases):
        super().__init__()
        self.stride, self.pad, self.k = stride, pad, k
        self.bases = bases if k > 1 else 0
        if self.bases:
            self.basis = nn.Parameter(torch.randn(self.bases, k * k) * 0.3)
            self.coefficients = nn.Parameter(torch.randn(cout, cin, self.bases) * (2.0 / (cin * k * k)) ** 0.5)
        else:
            self.weight = nn.Parameter(torch.randn(cout, cin, k, k) * (2.0 / (cin * k * k)) ** 0.5)

    def forward(self, x):
        if self.bases:
            n, c, _ = self.coefficients.shape
            w = torch.matmul(self.coefficients, self.basis).reshape(n, c, self.k, self.k)
        else:
            w = self.weight
        return F.conv2d(x, w, stride=self.stride, padding=self.pad)


def conv_bn_relu(cin, cout, bases, stride=1):
    return [Conv(cin, cout, 3, stride, 1, bases), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


def vgg_small(bases):
    layers, cin = [], 1
    for stage in ((32, 32), (64, 64), (128, 128)):
        for width in stage:
            layers += conv_bn_relu(cin, width, bases)
            cin = width
        layers.append(nn.MaxPool2d(2))
    layers += [nn.Flatten(), nn.Linear(128 * 3 * 3, 128), nn.ReLU(inplace=True), nn.Dropout(0.5), nn.Linear(128, 10)]
    return nn.Sequential(*layers)


class Block(nn.Module):
    def __init__(self, cin, cout, stride, bases):
        super().__init__()
        self.a = nn.Sequential(*conv_bn_relu(cin, cout, bases, stride))
        self.b = nn.Sequential(Conv(cout, cout, 3, 1, 1, bases), nn.BatchNorm2d(cout))
        self.short = (nn.Sequential(Conv(cin, cout, 1, stride, 0, 0), nn.BatchNorm2d(cout))
                      if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x):
        return F.relu(self.b(self.a(x)) + self.short(x))


def resnet_small(bases):
    layers, cin = conv_bn_relu(1, 16, bases), 16
    for width, stride in ((16, 1), (32, 2), (64, 2)):
        layers += [Block(cin, width, stride, bases), Block(width, width, 1, bases)]
        cin = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


def main():
    arch, variant = sys.argv[1], sys.argv[2]
    images = int(sys.argv[3]) if len(sys.argv) > 3 else 5120
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x = idx(f"{DATA}/train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)[:images].astype(np.float32) / 255
    y = idx(f"{DATA}/train-labels-idx1-ubyte.gz", 8)[:images].astype(np.int64)
    x = torch.from_numpy((x - x.mean()) / x.std())
    y = torch.from_numpy(y)
    bases = 5 if variant == "decomposed" else 0
    model = {"vgg-small": vgg_small, "resnet-small": resnet_small}[arch](bases)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)

    def epoch(count):
        order = torch.randperm(count)
        for start in range(0, count - BATCH + 1, BATCH):
            batch = order[start:start + BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
        return count // BATCH * BATCH

    epoch(min(images, 10 * BATCH))  # warm-up
    start = time.perf_counter()
    seen = epoch(images)
    seconds = time.perf_counter() - start
    print(json.dumps({"framework": "pytorch", "version": torch.__version__, "arch": arch, "variant": variant,
                      "threads": threads, "images": seen, "imagesPerSecond": seen / seconds}))


if __name__ == "__main__":
    main()
