#!/usr/bin/python3
"""Training throughput and peak memory of configs/dcgan_64.yaml (batch 64, 2 threads), side by side
in one run with pytorch/examples' DCGAN loop in Python (scripts/bench/dcgan_reference.py): same
architecture, batch, threads and images. Runs the two alternately (A B A B ...) and prints a table
with the median of each and the ratio.

    /usr/bin/python3 scripts/bench_dcgan_train.py [--steps 40] [--rounds 2]
Needs Debian's python3-torch and python3-numpy (scripts/setup.sh) and a built build/synthgen.

On a GPU (scripts/gpu_check.sh does this):
    python3 scripts/bench_dcgan_train.py --device cuda --precisions fp32,bf16 --python python3 \
        --binary build-gpu-check/synthgen --json OUT.json --keep DIR
--precisions runs each precision in every round (synthgen's run.precision, the reference's --amp);
--python is the reference's interpreter (one whose torch has CUDA); --keep keeps the images and run
folders in DIR; --json writes every figure.
"""
import argparse
import contextlib
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


class RunFailed(Exception):
    pass


def measure(command):
    """Runs a command; returns its stdout and peak RSS in MB (wait4's ru_maxrss, the figure GNU
    time's %M reports). Raises RunFailed with its stderr when it fails."""
    with tempfile.TemporaryFile('w+') as out, tempfile.TemporaryFile('w+') as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RunFailed(f'failed ({process.returncode}): {" ".join(command)}\n{err.read()[-3000:]}')
        return out.read(), usage.ru_maxrss / 1024.0


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
    parser.add_argument('--device', default='cpu', help='cpu, cuda or cuda:N, for both loops')
    parser.add_argument('--precisions', default='fp32', help='comma list of fp32, bf16 (bf16: CUDA only)')
    parser.add_argument('--python', default='/usr/bin/python3', help="the reference's interpreter")
    parser.add_argument('--json', help='write every figure to this file')
    parser.add_argument('--keep', help='keep images and run folders in this (new or empty) folder')
    args = parser.parse_args()
    precisions = args.precisions.split(',')
    for precision in precisions:
        if precision not in ('fp32', 'bf16'):
            sys.exit(f'--precisions: expected fp32 or bf16, got {precision}')
    if args.steps < 2 * args.window:
        sys.exit('--steps must be at least twice --window (the first window is warm-up)')

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        work = contextlib.nullcontext(args.keep)
    else:
        work = tempfile.TemporaryDirectory(prefix='synthgen-bench-')
    with work as tmp:
        images = make_images(args.images)
        folder = os.path.join(tmp, 'images')
        os.makedirs(folder)
        for i, image in enumerate(images):
            write_bmp(os.path.join(folder, f'{i:05d}.bmp'), image)
        npy = os.path.join(tmp, 'images.npy')
        np.save(npy, images)

        results = {p: {'synthgen': [], 'pytorch': []} for p in precisions}
        errors = []

        def run(loop, precision, round_index, function):
            """One process; a failure is recorded and the others still run."""
            try:
                figures = function()
            except (RunFailed, OSError, ValueError, KeyError, IndexError) as e:
                errors.append(f'round {round_index + 1} {precision} {loop}: {e}')
                print(errors[-1], flush=True)
                results[precision][loop].append({'error': str(e)[-3000:]})
            else:
                results[precision][loop].append(figures)
                print(f'round {round_index + 1} {precision} {loop}: {figures["images_per_s"]:.1f} img/s, '
                      f'peak RSS {figures["peak_rss_mb"]:.0f} MB, windows {figures["windows"]}', flush=True)
            if args.json:
                write_json(args, results, summarize(results))

        for round_index in range(args.rounds):
            for precision in precisions:
                run_dir = os.path.join(tmp, f'run_{precision}_{round_index}')

                def ours():
                    _, rss = measure([args.binary, 'train', '--config', os.path.join(ROOT, 'configs', 'dcgan_64.yaml'),
                                      '--set', f'data.path={folder}', '--set', f'train.steps={args.steps}',
                                      '--set', f'train.log_every={args.window}', '--set', 'train.sample_every=0',
                                      '--set', f'train.checkpoint_every={args.steps}',
                                      '--set', f'run.device={args.device}', '--set', f'run.precision={precision}',
                                      '--set', f'run.threads={args.threads}', '--out', run_dir])
                    rate, windows = synthgen_rate(run_dir)
                    return {'images_per_s': rate, 'peak_rss_mb': rss, 'windows': [round(w, 2) for w in windows],
                            'run': run_dir}

                def theirs():
                    out, rss = measure([args.python, os.path.join(ROOT, 'scripts', 'bench', 'dcgan_reference.py'),
                                        '--data', npy, '--steps', str(args.steps), '--window', str(args.window),
                                        '--threads', str(args.threads), '--device', args.device,
                                        '--amp', 'none' if precision == 'fp32' else precision])
                    reference = json.loads(out.strip().splitlines()[-1])
                    reference['peak_rss_mb'] = rss
                    return reference

                run('synthgen', precision, round_index, ours)
                run('pytorch', precision, round_index, theirs)

    summary = summarize(results)
    print()
    print('| loop | precision | images/s (median) | peak RSS (MB, max) |')
    print('|---|---|---|---|')
    for precision, row in summary.items():
        if 'ratio' not in row:
            print(f'| (no figures) | {precision} | | |')
            continue
        print(f'| synthgen train (C++) | {precision} | {row["synthgen_images_per_s"]:.1f} | '
              f'{row["synthgen_peak_rss_mb"]:.0f} |')
        print(f'| pytorch/examples DCGAN (Python) | {precision} | {row["pytorch_images_per_s"]:.1f} | '
              f'{row["pytorch_peak_rss_mb"]:.0f} |')
        print(f'| ratio | {precision} | {row["ratio"]:.2f}x | '
              f'{row["synthgen_peak_rss_mb"] / row["pytorch_peak_rss_mb"]:.2f}x |')
    if errors:
        sys.exit(f'{len(errors)} of the runs failed:\n' + '\n'.join(errors))


def summarize(results):
    """Per precision: each loop's median images/s over its rounds, max peak RSS, and the ratio."""
    summary = {}
    for precision, loops in results.items():
        row = {}
        for loop in ('synthgen', 'pytorch'):
            done = [r for r in loops[loop] if 'error' not in r]
            if done:
                row[f'{loop}_images_per_s'] = round(statistics.median(r['images_per_s'] for r in done), 2)
                row[f'{loop}_peak_rss_mb'] = round(max(r['peak_rss_mb'] for r in done), 1)
                row[f'{loop}_runs'] = len(done)
        if 'synthgen_images_per_s' in row and 'pytorch_images_per_s' in row:
            row['ratio'] = round(row['synthgen_images_per_s'] / row['pytorch_images_per_s'], 3)
        summary[precision] = row
    return summary


def write_json(args, results, summary):
    settings = {k: getattr(args, k) for k in ('steps', 'window', 'rounds', 'threads', 'images', 'device')}
    settings['batch'] = 64
    with open(args.json + '.tmp', 'w') as f:
        json.dump({'settings': settings, 'summary': summary, 'rounds': results}, f, indent=1)
        f.write('\n')
    os.replace(args.json + '.tmp', args.json)


if __name__ == '__main__':
    main()
