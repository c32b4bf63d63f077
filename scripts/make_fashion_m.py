#!/usr/bin/python3
"""Fashion-MNIST-M: a second, colour domain made from Fashion-MNIST the way MNIST-M is made from
MNIST (Ganin & Lempitsky 2015): each garment blended over a random crop of a colour photograph,
out = |photo - garment| per channel, so the garment inverts the photo's colours where it is bright.
The photos are the sample images of Debian's python3-skimage, different ones for the training and
the test split, so the test domain's backgrounds are unseen. Seeded: the same arguments give the
same files.

Writes, each a folder with one sub-folder per class (0..9, the test set's class numbers):
  OUT/plain/train   NUM grey Fashion-MNIST training images (the labelled source domain)
  OUT/target/train  NUM other Fashion-MNIST training images, blended (the new domain's training split)
  OUT/target/test   the 10,000 Fashion-MNIST test images, blended over the test photos
  OUT/unpaired/trainA -> ../plain/train, OUT/unpaired/trainB -> ../target/train (for cyclegan)

    /usr/bin/python3 scripts/make_fashion_m.py OUT [--num 10000] [--seed 0]
"""
import argparse
import gzip
import os
import sys

import numpy as np
from skimage import io, transform

FASHION = "/usr/share/datasets/fashion-mnist"
PHOTOS = "/usr/lib/python3/dist-packages/skimage/data"
# Colour photographs only (no drawings, no grey textures); the two motorcycle views share a scene,
# so they stay in one split.
TRAIN_PHOTOS = ["astronaut.png", "coffee.png", "motorcycle_left.png", "motorcycle_right.png", "retina.jpg"]
TEST_PHOTOS = ["chelsea.png", "hubble_deep_field.jpg", "ihc.png", "rocket.jpg"]


def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def read_split(fashion_dir, prefix):
    images = read_idx(os.path.join(fashion_dir, f"{prefix}-images-idx3-ubyte.gz"), 16).reshape(-1, 28, 28)
    labels = read_idx(os.path.join(fashion_dir, f"{prefix}-labels-idx1-ubyte.gz"), 8)
    return images, labels


def load_photos(names):
    photos = []
    for name in names:
        photo = io.imread(os.path.join(PHOTOS, name))[..., :3]
        photos.append(photo.astype(np.float64) / 255.0)
    return photos


def random_background(photos, rng):
    """A random square crop of a random photo, 28 to 128 pixels on a side, resized to 28 x 28."""
    photo = photos[rng.integers(len(photos))]
    side = int(rng.integers(28, min(128, *photo.shape[:2]) + 1))
    top = int(rng.integers(photo.shape[0] - side + 1))
    left = int(rng.integers(photo.shape[1] - side + 1))
    crop = photo[top : top + side, left : left + side]
    return transform.resize(crop, (28, 28), anti_aliasing=side > 28)


def blend(garment, background):
    out = np.abs(background - garment[..., None].astype(np.float64) / 255.0)
    return np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8)


def write_set(folder, images, labels, indices, photos, rng, prefix):
    for label in range(10):
        os.makedirs(os.path.join(folder, str(label)), exist_ok=True)
    for index in indices:
        image = images[index] if photos is None else blend(images[index], random_background(photos, rng))
        path = os.path.join(folder, str(labels[index]), f"{prefix}_{index:05d}.png")
        io.imsave(path, image, check_contrast=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--num", type=int, default=10000, help="images in each training folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fashion-dir", default=FASHION)
    args = parser.parse_args()
    if os.path.exists(args.out_dir) and os.listdir(args.out_dir):
        sys.exit(f"{args.out_dir}: exists and is not empty; choose a new folder")
    if not 1 <= args.num <= 30000:
        sys.exit(f"--num {args.num}: expected 1..30000 (two disjoint sets of the 60,000 training images)")
    rng = np.random.default_rng(args.seed)
    train_images, train_labels = read_split(args.fashion_dir, "train")
    test_images, test_labels = read_split(args.fashion_dir, "t10k")
    order = rng.permutation(len(train_images))
    plain, target = order[: args.num], order[args.num : 2 * args.num]
    write_set(os.path.join(args.out_dir, "plain", "train"), train_images, train_labels, plain, None, rng, "train")
    write_set(os.path.join(args.out_dir, "target", "train"), train_images, train_labels, target,
              load_photos(TRAIN_PHOTOS), rng, "train")
    write_set(os.path.join(args.out_dir, "target", "test"), test_images, test_labels, range(len(test_images)),
              load_photos(TEST_PHOTOS), rng, "test")
    unpaired = os.path.join(args.out_dir, "unpaired")
    os.makedirs(unpaired)
    os.symlink(os.path.join("..", "plain", "train"), os.path.join(unpaired, "trainA"))
    os.symlink(os.path.join("..", "target", "train"), os.path.join(unpaired, "trainB"))
    print(f"{args.out_dir}: plain/train and target/train {args.num} images each, target/test {len(test_images)}")


if __name__ == "__main__":
    main()
