#!/usr/bin/python3
"""ProGAN's training speed by phase, from a run's metrics.jsonl: images/s at each resolution
(fade-ins and stable phases together), and the run's wall time beside the time the same number of
steps would take at the full resolution without progressive growing (the same model, at its top
level from the first step, runs at the top level's speed).

    /usr/bin/python3 scripts/progan_phase_speed.py RUN_DIR
"""
import json
import math
import sys
from collections import defaultdict


def main():
    run = sys.argv[1]
    records = [json.loads(line) for line in open(f'{run}/metrics.jsonl')]
    images = defaultdict(float)
    seconds = defaultdict(float)
    previous_elapsed = 0.0
    previous_step = 0
    batch = None
    for record in records:
        window_seconds = record['elapsed_s'] - previous_elapsed
        window_images = record['images_per_s'] * window_seconds
        # A log window that spans a change of resolution reports the mean; it counts toward the
        # nearer power of two.
        resolution = 2 ** round(math.log2(record['resolution']))
        images[resolution] += window_images
        seconds[resolution] += window_seconds
        if batch is None and record['step'] > previous_step:
            batch = window_images / (record['step'] - previous_step)
        previous_elapsed = record['elapsed_s']
        previous_step = record['step']
    top = max(images)
    print('| resolution | images | seconds | images/s |')
    print('|---|---|---|---|')
    for resolution in sorted(images):
        print(f'| {resolution}x{resolution} | {images[resolution]:,.0f} | {seconds[resolution]:,.0f} | '
              f'{images[resolution] / seconds[resolution]:,.0f} |')
    total_images = sum(images.values())
    total_seconds = sum(seconds.values())
    flat_seconds = total_images / (images[top] / seconds[top])
    print()
    print(f'growing: {total_images:,.0f} images in {total_seconds:,.0f} s; the same images at {top}x{top} '
          f'throughout: {flat_seconds:,.0f} s; growing takes {total_seconds / flat_seconds:.2f}x the time '
          f'({flat_seconds / total_seconds:.2f}x faster)')


if __name__ == '__main__':
    main()
