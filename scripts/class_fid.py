#!/usr/bin/python3
"""Where a class-conditional generator's FID comes from: the FID of features saved by
`synthgen eval --save-features PREFIX`, split into its mean term |mu_r - mu_f|^2 and its covariance
term, and the FID within each class (intra-FID, as StudioGAN reports it).

The real set's labels come from an IDX file (by default Fashion-MNIST's test labels, for
`--real fashion-mnist:test`). The fake set is a balanced conditional one, image i of class i mod K,
as `synthgen eval` and `synthgen sample --classes balanced` make it, unless --fake-labels names an
IDX file (for the floor: real training images as the "fake" set).

    synthgen eval --real fashion-mnist:test --fake RUN --num 10000 --features classifier:CLS \\
        --metrics fid --save-features /tmp/feats
    /usr/bin/python3 scripts/class_fid.py /tmp/feats
    # the floor: --fake fashion-mnist:train, then
    /usr/bin/python3 scripts/class_fid.py /tmp/floor \\
        --fake-labels /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz
"""
import argparse
import gzip
import sys

import numpy as np
from scipy import linalg

FASHION_TEST_LABELS = '/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz'


def read_idx_labels(path):
    try:
        with open(path, 'rb') as f:
            data = f.read()
        if data[:2] == b'\x1f\x8b':
            data = gzip.decompress(data)
    except (OSError, EOFError) as error:
        sys.exit(f'{path}: cannot read labels: {error}')
    if len(data) < 8 or int.from_bytes(data[:4], 'big') != 0x801:
        sys.exit(f'{path}: not an IDX label file (expected magic 0x00000801)')
    return np.frombuffer(data[8:], dtype=np.uint8)


def frechet_terms(real, fake):
    """FID's two terms: the squared distance of the means and the covariance term."""
    mean_term = float(((real.mean(0) - fake.mean(0)) ** 2).sum())
    cov_real = np.cov(real, rowvar=False)
    cov_fake = np.cov(fake, rowvar=False)
    root, _ = linalg.sqrtm(cov_real @ cov_fake, disp=False)
    cov_term = float(np.trace(cov_real + cov_fake - 2.0 * root.real))
    return mean_term, cov_term


def load_features(path):
    try:
        features = np.load(path)
    except (OSError, ValueError) as error:
        sys.exit(f'{path}: cannot read features: {error}')
    if features.ndim != 2:
        sys.exit(f'{path}: expected a 2-D array of features, got shape {features.shape}')
    return features.astype(np.float64)


def labels_for(path, count):
    """The first `count` labels of an IDX file (`synthgen eval --num N` takes a set's first N)."""
    labels = read_idx_labels(path)[:count]
    if len(labels) != count:
        sys.exit(f'{path}: {len(labels)} labels for {count} features')
    return labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('prefix', help='PREFIX of PREFIX.real.npy and PREFIX.fake.npy')
    parser.add_argument('--real-labels', default=FASHION_TEST_LABELS, help='IDX labels of the real set')
    parser.add_argument('--fake-labels', help='IDX labels of the fake set (default: image i is class i mod K)')
    args = parser.parse_args()
    real, fake = (load_features(f'{args.prefix}.{side}.npy') for side in ('real', 'fake'))
    real_labels = labels_for(args.real_labels, len(real))
    classes = int(real_labels.max()) + 1
    fake_labels = labels_for(args.fake_labels, len(fake)) if args.fake_labels else np.arange(len(fake)) % classes

    mean_term, cov_term = frechet_terms(real, fake)
    print(f'FID {mean_term + cov_term:.3f} = mean term {mean_term:.3f} + covariance term {cov_term:.3f}')
    print('class  real  fake  intra-FID  mean term  covariance term')
    for c in range(classes):
        r, f = real[real_labels == c], fake[fake_labels == c]
        m, v = frechet_terms(r, f)
        print(f'{c:5d} {len(r):5d} {len(f):5d} {m + v:10.3f} {m:10.3f} {v:16.3f}')


if __name__ == '__main__':
    main()
