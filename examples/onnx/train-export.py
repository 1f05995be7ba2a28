# A user's model for the README's ONNX walk-through: a small CNN trained on Fashion-MNIST in PyTorch for one epoch,
# exported to ONNX. Run from models/ with the system Python (Debian python3-torch): /usr/bin/python3 ../examples/onnx/train-export.py
import gzip, numpy as np, torch, torch.nn as nn
def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)
root = "/usr/share/datasets/fashion-mnist/"
x = torch.tensor(idx(root + "train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
y = torch.tensor(idx(root + "train-labels-idx1-ubyte.gz"), dtype=torch.long)
x_mean, x_std = x.mean(), x.std()
x = (x - x_mean) / x_std
torch.manual_seed(0)
m = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(64, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                  nn.Flatten(), nn.Linear(64, 10))
opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
for i in range(0, 60000, 64):
    opt.zero_grad()
    nn.functional.cross_entropy(m(x[i:i + 64]), y[i:i + 64]).backward()
    opt.step()
m.eval()
xt = (torch.tensor(idx(root + "t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255 - x_mean) / x_std
yt = torch.tensor(idx(root + "t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
with torch.no_grad():
    print("PyTorch test top-1, first 2000 images: %.2f%%" % (100 * (m(xt[:2000]).argmax(1) == yt[:2000]).float().mean()))
torch.onnx.export(m, torch.randn(1, 1, 28, 28), "my-cnn.onnx", opset_version=17,
                  input_names=["images"], dynamic_axes={"images": {0: "batch"}})
