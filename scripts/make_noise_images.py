#!/usr/bin/python3
"""Writes COUNT grey PNG images of Gaussian noise (the "ceiling" set of the eval benchmark):
pixel = clamp(z * 127.5 + 128, 0, 255) with z ~ N(0, 1), the mapping generator output takes.

    /usr/bin/python3 scripts/make_noise_images.py OUT_DIR [--count 10000] [--size 28] [--seed 0]
Needs only numpy (python3-numpy); PNGs are written with zlib directly.
"""
import argparse
import os
import struct
import zlib

import numpy as np


def png_bytes(grey):
    """An 8-bit greyscale PNG of a 2-D uint8 array."""
    height, width = grey.shape
    raw = b''.join(b'\x00' + grey[row].tobytes() for row in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body) & 0xffffffff)

    header = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('out')
    parser.add_argument('--count', type=int, default=10000)
    parser.add_argument('--size', type=int, default=28)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    for i in range(args.count):
        z = rng.standard_normal((args.size, args.size))
        grey = np.clip(z * 127.5 + 128, 0, 255).astype(np.uint8)
        with open(os.path.join(args.out, f'{i:06d}.png'), 'wb') as f:
            f.write(png_bytes(grey))


if __name__ == '__main__':
    main()
