"""Draws a handwritten-style "7" as a 1x1x32x32 float32 image in [0, 1] and saves it as digit.npy."""
import os

import numpy as np

img = np.zeros((32, 32), dtype=np.float32)
for x in range(8, 25):  # the top bar
    img[7:9, x] = 1.0
for t in np.linspace(0.0, 1.0, 200):  # the diagonal stroke
    y, x = int(8 + t * 17), int(24 - t * 10)
    img[y, x : x + 2] = 1.0
np.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "digit.npy"), img.reshape(1, 1, 32, 32))
