#!/usr/bin/python3
"""Trains LeNet-5 (lenet5.ds) on the 8x8 handwritten digits that scikit-learn ships and writes the
example's committed files beside this script:

  lenet5.safetensors   the trained weights, keyed by the PyTorch state_dict names lenet5.ds uses
  lenet5.onnx          the same network and weights exported to ONNX (input 'input', output 'output')
  heldout.npy          the held-out images as 8x8 uint8 values 0..16 (scikit-learn's encoding)
  heldout_labels.npy   their classes, uint8
  digit.npy            one held-out image as the model's 1x1x32x32 float32 input (the Quick start's)

Each 8x8 image becomes the model's 32x32 input by scaling 0..16 to 0..1 and repeating every pixel
over a 4x4 block (the digits were made by counting the ink of 4x4 blocks of 32x32 bitmaps). The split
is stratified and seeded, training is seeded and single-threaded, so a rerun writes the same files.

Usage: /usr/bin/python3 examples/lenet5/train.py   (Debian: python3-torch, python3-sklearn)
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "fixtures"))
from make_ds_fixtures import LeNet5, write_safetensors  # noqa: E402  (the PyTorch twin of lenet5.ds)

EPOCHS = 30
BATCH = 32
# the Quick start's image: the first held-out image of this class
QUICK_START_CLASS = 7


def to_model_input(pixels):
    """uint8 [B, 8, 8] in 0..16 -> float32 [B, 1, 32, 32] in 0..1, each pixel repeated over 4x4."""
    x = pixels.astype(np.float32) / 16.0
    return np.repeat(np.repeat(x, 4, axis=1), 4, axis=2)[:, None, :, :]


def shifted(images, generator):
    """Each image moved by up to one 8x8 pixel (4 input pixels) in each direction, blank edges."""
    out = torch.zeros_like(images)
    shifts = torch.randint(-1, 2, (images.shape[0], 2), generator=generator) * 4
    for i, (dy, dx) in enumerate(shifts.tolist()):
        ys, yd = (slice(0, 32 - dy), slice(dy, 32)) if dy >= 0 else (slice(-dy, 32), slice(0, 32 + dy))
        xs, xd = (slice(0, 32 - dx), slice(dx, 32)) if dx >= 0 else (slice(-dx, 32), slice(0, 32 + dx))
        out[i, :, yd, xd] = images[i, :, ys, xs]
    return out


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    digits = load_digits()
    pixels = digits.images.astype(np.uint8)
    labels = digits.target.astype(np.uint8)
    train_px, test_px, train_y, test_y = train_test_split(pixels, labels, test_size=0.25, random_state=0, stratify=labels)

    x_train = torch.from_numpy(to_model_input(train_px))
    y_train = torch.from_numpy(train_y.astype(np.int64))
    model = LeNet5()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(1)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
        total = 0.0
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            loss = F.cross_entropy(model(shifted(x_train[idx], generator)), y_train[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1:2d}: training loss {total / len(order):.4f}")

    model.eval()
    x_test = torch.from_numpy(to_model_input(test_px))
    with torch.no_grad():
        predicted = model(x_test).argmax(dim=1).numpy()
    correct = int((predicted == test_y).sum())
    print(f"held-out accuracy: {correct} of {len(test_y)} ({100.0 * correct / len(test_y):.1f} %)")

    write_safetensors(os.path.join(HERE, "lenet5.safetensors"), model.state_dict())
    torch.onnx.export(model, (x_test[:1],), os.path.join(HERE, "lenet5.onnx"), opset_version=13, do_constant_folding=True,
                      input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    np.save(os.path.join(HERE, "heldout.npy"), test_px)
    np.save(os.path.join(HERE, "heldout_labels.npy"), test_y)
    first = int(np.flatnonzero(test_y == QUICK_START_CLASS)[0])
    np.save(os.path.join(HERE, "digit.npy"), to_model_input(test_px[first:first + 1]))
    print(f"digit.npy is held-out image {first}, a {QUICK_START_CLASS}")


if __name__ == "__main__":
    main()
