#!/usr/bin/python3
"""A small labelled Fashion-MNIST set as a user would hold it: PER_CLASS images of each class,
drawn with a seeded permutation from the training split, written as PNG files in one sub-folder
per class (named 0..9, the test set's class numbers). Benchmark 1 (docs/benchmarks.md) trains its
generators and classifiers on such a folder.

    /usr/bin/python3 scripts/make_fashion_subset.py OUT_DIR [--per-class 100] [--seed 0]
"""
import argparse
import gzip
import os
import sys

import numpy as np
from skimage import io

FASHION = "/usr/share/datasets/fashion-mnist"


def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fashion-dir", default=FASHION)
    args = parser.parse_args()
    images = read_idx(os.path.join(args.fashion_dir, "train-images-idx3-ubyte.gz"), 16).reshape(-1, 28, 28)
    labels = read_idx(os.path.join(args.fashion_dir, "train-labels-idx1-ubyte.gz"), 8)
    if os.path.exists(args.out_dir) and os.listdir(args.out_dir):
        sys.exit(f"{args.out_dir}: exists and is not empty; choose a new folder")
    rng = np.random.default_rng(args.seed)
    for label in range(10):
        members = np.flatnonzero(labels == label)
        chosen = np.sort(rng.permutation(members)[: args.per_class])
        folder = os.path.join(args.out_dir, str(label))
        os.makedirs(folder, exist_ok=True)
        for index in chosen:
            io.imsave(os.path.join(folder, f"train_{index:05d}.png"), images[index], check_contrast=False)
    print(f"{args.out_dir}: {10 * args.per_class} images, {args.per_class} per class (seed {args.seed})")


if __name__ == "__main__":
    main()
