#!/usr/bin/python3
"""Training throughput and peak memory of configs/dcgan_64.yaml (batch 64, 2 threads), side by side
in one run with pytorch/examples' DCGAN loop in Python (scripts/bench/dcgan_reference.py): same
architecture, batch, threads and images. Runs the two alternately (A B A B ...) and prints a table
with the median of each and the ratio.

    /usr/bin/python3 scripts/bench_dcgan_train.py [--steps 40] [--rounds 2]
Needs Debian's python3-torch and python3-numpy (SYNTHGEN_SETUP_BENCH=1 scripts/setup.sh) and a
built build/synthgen.
"""
import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_images(count, size=64, seed=0):
    """Smooth random colour blobs: content does not change the speed, only the shapes matter."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    images = np.zeros((count, size, size, 3), np.uint8)
    for i in range(count):
        canvas = np.zeros((size, size, 3), np.float32)
        for _ in range(3):
            cx, cy, r = rng.uniform(0, size), rng.uniform(0, size), rng.uniform(6, 24)
            canvas += rng.uniform(0, 255, 3) * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (r * r))[..., None]
        images[i] = np.clip(canvas, 0, 255).astype(np.uint8)
    return images


def write_bmp(path, image):
    """24-bit BMP (bottom-up rows, BGR): one of the formats synthgen reads."""
    height, width, _ = image.shape
    row = width * 3
    padding = (4 - row % 4) % 4
    pixels = b''.join(image[y, :, ::-1].tobytes() + b'\0' * padding for y in range(height - 1, -1, -1))
    header = struct.pack('<2sIHHI', b'BM', 54 + len(pixels), 0, 0, 54)
    info = struct.pack('<IiiHHIIiiII', 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    with open(path, 'wb') as f:
        f.write(header + info + pixels)


def run_checked(command):
    """Runs a command, exits with its stderr when it fails; returns its stdout."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f'failed ({result.returncode}): {" ".join(command)}\n{result.stderr}')
    return result.stdout


def measure(command):
    """Runs `command` under GNU time to read its peak RSS."""
    with tempfile.NamedTemporaryFile('r', suffix='.time') as timing:
        stdout = run_checked(['/usr/bin/time', '-f', '%M', '-o', timing.name] + command)
        peak_kb = int(timing.read().strip().splitlines()[-1])
    return stdout, peak_kb / 1024.0


def synthgen_rate(run_dir, skip_first=1):
    with open(os.path.join(run_dir, 'metrics.jsonl')) as f:
        rates = [json.loads(line)['images_per_s'] for line in f]
    return statistics.median(rates[skip_first:]), rates


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--steps', type=int, default=40)
    parser.add_argument('--window', type=int, default=5)
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--images', type=int, default=1024)
    parser.add_argument('--binary', default=os.path.join(ROOT, 'build', 'synthgen'))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix='synthgen-bench-') as tmp:
        images = make_images(args.images)
        folder = os.path.join(tmp, 'images')
        os.makedirs(folder)
        for i, image in enumerate(images):
            write_bmp(os.path.join(folder, f'{i:05d}.bmp'), image)
        npy = os.path.join(tmp, 'images.npy')
        np.save(npy, images)

        results = {'synthgen': [], 'pytorch': []}
        for round_index in range(args.rounds):
            run_dir = os.path.join(tmp, f'run{round_index}')
            _, rss = measure([args.binary, 'train', '--config', os.path.join(ROOT, 'configs', 'dcgan_64.yaml'),
                              '--set', f'data.path={folder}', '--set', f'train.steps={args.steps}',
                              '--set', f'train.log_every={args.window}', '--set', 'train.sample_every=0',
                              '--set', f'train.checkpoint_every={args.steps}', '--set', 'run.device=cpu',
                              '--set', f'run.threads={args.threads}', '--out', run_dir])
            rate, windows = synthgen_rate(run_dir)
            results['synthgen'].append((rate, rss))
            print(f'round {round_index + 1} synthgen: {rate:.1f} img/s, peak RSS {rss:.0f} MB, windows {windows}',
                  flush=True)
            out, rss = measure(['/usr/bin/python3', os.path.join(ROOT, 'scripts', 'bench', 'dcgan_reference.py'),
                                '--data', npy, '--steps', str(args.steps), '--window', str(args.window),
                                '--threads', str(args.threads)])
            reference = json.loads(out.strip().splitlines()[-1])
            results['pytorch'].append((reference['images_per_s'], rss))
            print(f'round {round_index + 1} pytorch:  {reference["images_per_s"]:.1f} img/s, peak RSS {rss:.0f} MB, '
                  f'windows {reference["windows"]}', flush=True)

    ours = statistics.median(r for r, _ in results['synthgen'])
    theirs = statistics.median(r for r, _ in results['pytorch'])
    ours_rss = max(m for _, m in results['synthgen'])
    theirs_rss = max(m for _, m in results['pytorch'])
    print()
    print('| loop | images/s (median) | peak RSS (MB, max) |')
    print('|---|---|---|')
    print(f'| synthgen train (C++) | {ours:.1f} | {ours_rss:.0f} |')
    print(f'| pytorch/examples DCGAN (Python) | {theirs:.1f} | {theirs_rss:.0f} |')
    print(f'| ratio | {ours / theirs:.2f}x | {ours_rss / theirs_rss:.2f}x |')


if __name__ == '__main__':
    main()
