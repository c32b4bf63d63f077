// Training pairs for super-resolution: high-resolution (HR) crops from image folders at their own
// resolution, random crops, flips and 90-degree rotations, and low-resolution (LR) inputs made on
// the fly by bicubic downsampling, optionally after a blur and followed by noise and a JPEG round
// trip (a light version of Real-ESRGAN's degradations, Wang et al. 2021). Randomness comes from
// LibTorch's default generator, whose state the training loop saves with each checkpoint.
#pragma once

#include <torch/torch.h>

#include "synthgen/config/config.h"
#include "synthgen/data/dataset.h"

namespace synthgen::data {

// The folder cfg.path decoded at its own resolution (cfg.channels) and cut into cfg.image_size
// squares on a grid with stride image_size / 2 (plus a last row and column flush with the far
// edges), so that later random crops can reach every pixel. An image with a side shorter than
// image_size is first enlarged to it (keeping its aspect ratio). Class sub-folders are read but
// give no labels. Unusable files are skipped with a warning naming them.
ImageDataset load_patch_folder(const DataConfig& cfg, int threads, LoadStats* stats);

// Top-left corners of `size`-long windows covering `length` with the given stride, the last one
// flush with the end.
std::vector<std::int64_t> window_starts(std::int64_t length, std::int64_t size, std::int64_t stride);

// A random patch x patch crop of each image of a batch [B, C, H, W] (H, W >= patch); with
// `flips_and_rotations`, each crop is also mirrored and rotated by a random multiple of 90 degrees
// (all 8 symmetries of the square, equally likely).
torch::Tensor random_sr_crops(const torch::Tensor& images, int patch, bool flips_and_rotations);

struct Degradation {
  double blur_sigma_max = 0.0;  // Gaussian blur of HR with sigma ~ U(0.2, max) HR pixels (0 = off)
  double noise_max = 0.0;       // Gaussian noise on LR with std ~ U(0, max) in 0-255 levels (0 = off)
  int jpeg_min_quality = 0;     // JPEG round trip of LR with quality ~ U{min..95} (0 = off)
};

// train.sr_blur, train.sr_noise and train.sr_jpeg.
Degradation degradation_from(const SrganSettings& sr);

// LR images for HR images [B, C, H, W] in [-1, 1] (H, W multiples of scale): blur (optional),
// bicubic downsampling by `scale`, noise (optional), rounding to 8-bit levels, JPEG (optional).
// Returns float [B, C, H/scale, W/scale] in [-1, 1] on HR's device.
torch::Tensor make_lr_images(const torch::Tensor& hr, int scale, const Degradation& degradation);

// A normalised 1-D Gaussian kernel of 2 * ceil(3 sigma) + 1 taps.
torch::Tensor gaussian_kernel(double sigma);

}  // namespace synthgen::data
