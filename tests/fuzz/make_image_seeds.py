#!/usr/bin/env python3
"""Writes the image fuzzer's seed corpus (tests/fuzz/corpus/image): small files in every format and
variant the decoder meets, supported or not, whole and damaged. Needs Debian's python3-pil:
  /usr/bin/python3 tests/fuzz/make_image_seeds.py tests/fuzz/corpus/image
The output is deterministic; the files are committed so that fuzzing needs no Python."""
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image


def encoded(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8), "RGB")
    grey = rgb.convert("L")
    seeds = {
        "rgb.png": encoded(rgb, "PNG"),
        "grey.png": encoded(grey, "PNG"),
        "rgba.png": encoded(rgb.convert("RGBA"), "PNG"),
        "palette.png": encoded(rgb.convert("P"), "PNG"),
        "grey16.png": encoded(Image.fromarray((np.asarray(grey, np.uint16) * 257).astype(np.uint16)), "PNG"),
        "optimized.png": encoded(rgb, "PNG", optimize=True),
        "rgb.jpg": encoded(rgb, "JPEG", quality=90),
        "grey.jpg": encoded(grey, "JPEG", quality=90),
        "progressive.jpg": encoded(rgb, "JPEG", quality=75, progressive=True),
        "cmyk.jpg": encoded(rgb.convert("CMYK"), "JPEG", quality=90),
        "subsampled.jpg": encoded(rgb, "JPEG", quality=50, subsampling=2),
        "rgb.bmp": encoded(rgb, "BMP"),
        "grey.bmp": encoded(grey, "BMP"),
        "rgb.tga": encoded(rgb, "TGA"),
        "rle.tga": encoded(rgb, "TGA", compression="tga_rle"),
        "unsupported.gif": encoded(rgb.convert("P"), "GIF"),
        "unsupported.ppm": encoded(rgb, "PPM"),
        "empty.bin": b"",
    }
    # Damaged copies: cut short, and with the header claiming a huge size.
    seeds["truncated.png"] = seeds["rgb.png"][: len(seeds["rgb.png"]) // 2]
    seeds["truncated.jpg"] = seeds["rgb.jpg"][: len(seeds["rgb.jpg"]) - 40]
    huge = bytearray(seeds["rgb.png"])
    huge[16:24] = (100000).to_bytes(4, "big") + (100000).to_bytes(4, "big")  # IHDR width, height
    seeds["huge_header.png"] = bytes(huge)
    for name, data in seeds.items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main(sys.argv[1])
