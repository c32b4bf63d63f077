#!/usr/bin/python3
"""Builds the demonstration data sets of the translation families from local data only.

  edges2fashion  pix2pix pairs: A = edges of a Fashion-MNIST garment (Canny on the image enlarged to
                 32x32, drawn black on white like pix2pix's edges2shoes), B = the garment at 32x32.
                 train/{A,B}/ from the training split, val/{A,B}/ from the test split.
  sneaker2boot   CycleGAN domains at 28x28: trainA/ sneakers (class 7), trainB/ ankle boots
                 (class 9) from the training split, testA/ testB/ from the test split, and
                 labelled/testA_to_9/9/ (test sneakers filed under the target class 9) and
                 labelled/testB_to_7/7/ for scoring translations with `synthgen eval --metrics accuracy`.
  day2night      pix2pix pairs: 256x256 tiles of skimage's example photos (day) and a night version
                 made by the darkening transform below; train/ from six photos, val/ from two others.

Darkening transform (per pixel, RGB in [0, 1]): scale the channels by (0.75, 0.85, 1.1) (a blue
shift), apply gamma 2.2 and multiply by 0.6 (darker, crushed shadows), add Gaussian noise of
sigma 3/255 (seeded, so the data set is reproducible) and round to 8 bits.

Usage: scripts/make_translation_data.py OUT_DIR [--sets edges2fashion,sneaker2boot,day2night]
       [--train N] [--val N]
Needs Debian's python3-numpy, python3-pil, python3-skimage and dataset-fashion-mnist.
"""
import argparse
import gzip
import os
import sys

import numpy as np
from PIL import Image

FASHION = "/usr/share/datasets/fashion-mnist"
SKIMAGE_DATA = "/usr/lib/python3/dist-packages/skimage/data"
DAY_TRAIN = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "ihc.png", "hubble_deep_field.jpg"]
DAY_VAL = ["rocket.jpg", "motorcycle_right.png"]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic == 0x803:
        n, h, w = (int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, h, w)
    if magic == 0x801:
        return np.frombuffer(data, np.uint8, offset=8)
    sys.exit(f"error: {path}: not an IDX file (magic {magic:#x})")


def fashion(split):
    prefix = "train" if split == "train" else "t10k"
    images = os.path.join(FASHION, f"{prefix}-images-idx3-ubyte.gz")
    if not os.path.exists(images):
        sys.exit(f"error: {images} is missing: install dataset-fashion-mnist (scripts/setup.sh)")
    return read_idx(images), read_idx(os.path.join(FASHION, f"{prefix}-labels-idx1-ubyte.gz"))


def save(path, pixels):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(pixels).save(path)


def edges_of(garment32):
    from skimage import feature
    edges = feature.canny(garment32.astype(np.float64) / 255.0, sigma=1.0, low_threshold=0.05, high_threshold=0.15)
    return np.where(edges, 0, 255).astype(np.uint8)


def make_edges2fashion(out, train_count, val_count):
    for split, count in (("train", train_count), ("val", val_count)):
        images, _ = fashion("train" if split == "train" else "test")
        for i in range(min(count, len(images))):
            garment = np.asarray(Image.fromarray(images[i]).resize((32, 32), Image.BICUBIC))
            name = f"{i:05d}.png"
            save(os.path.join(out, "edges2fashion", split, "A", name), edges_of(garment))
            save(os.path.join(out, "edges2fashion", split, "B", name), garment)
        print(f"edges2fashion/{split}: {min(count, len(images))} pairs")


def make_sneaker2boot(out):
    root = os.path.join(out, "sneaker2boot")
    for split, folder in (("train", "train"), ("test", "test")):
        images, labels = fashion(split)
        for label, domain in ((7, "A"), (9, "B")):
            picked = np.nonzero(labels == label)[0]
            for i in picked:
                save(os.path.join(root, f"{folder}{domain}", f"{i:05d}.png"), images[i])
                if split == "test":
                    target = 9 if label == 7 else 7
                    save(os.path.join(root, "labelled", f"test{domain}_to_{target}", str(target), f"{i:05d}.png"),
                         images[i])
            print(f"sneaker2boot/{folder}{domain}: {len(picked)} images of class {label}")


def darken(day, rng):
    x = day.astype(np.float64) / 255.0
    x = np.clip(x * np.array([0.75, 0.85, 1.1]), 0.0, 1.0)
    x = 0.6 * x ** 2.2
    x = x + rng.normal(0.0, 3.0 / 255.0, x.shape)
    return np.clip(np.round(x * 255.0), 0, 255).astype(np.uint8)


def tiles(image, size, stride):
    h, w = image.shape[:2]
    if min(h, w) < size:
        scale = size / min(h, w)
        image = np.asarray(Image.fromarray(image).resize((round(w * scale), round(h * scale)), Image.BICUBIC))
        h, w = image.shape[:2]
    for y in range(0, h - size + 1, stride):
        for x in range(0, w - size + 1, stride):
            yield y, x, image[y:y + size, x:x + size]


def make_day2night(out):
    rng = np.random.default_rng(0)
    for split, photos, stride in (("train", DAY_TRAIN, 64), ("val", DAY_VAL, 128)):
        count = 0
        for photo in photos:
            image = np.asarray(Image.open(os.path.join(SKIMAGE_DATA, photo)).convert("RGB"))
            stem = os.path.splitext(photo)[0]
            for y, x, tile in tiles(image, 256, stride):
                name = f"{stem}_{y:04d}_{x:04d}.png"
                save(os.path.join(out, "day2night", split, "A", name), tile)
                save(os.path.join(out, "day2night", split, "B", name), darken(tile, rng))
                count += 1
        print(f"day2night/{split}: {count} pairs of 256x256 from {', '.join(photos)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--sets", default="edges2fashion,sneaker2boot,day2night")
    parser.add_argument("--train", type=int, default=20000, help="edges2fashion training pairs")
    parser.add_argument("--val", type=int, default=1000, help="edges2fashion held-out pairs")
    args = parser.parse_args()
    known = {"edges2fashion", "sneaker2boot", "day2night"}
    for name in args.sets.split(","):
        if name not in known:
            sys.exit(f"error: --sets: unknown set '{name}'; expected {', '.join(sorted(known))}")
        if os.path.exists(os.path.join(args.out, name)):
            sys.exit(f"error: '{os.path.join(args.out, name)}' exists; remove it or choose another OUT_DIR")
    for name in args.sets.split(","):
        if name == "edges2fashion":
            make_edges2fashion(args.out, args.train, args.val)
        elif name == "sneaker2boot":
            make_sneaker2boot(args.out)
        else:
            make_day2night(args.out)


if __name__ == "__main__":
    main()
