#include "synthgen/data/sr_pairs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "synthgen/core/error.h"
#include "synthgen/core/log.h"
#include "synthgen/data/bicubic.h"
#include "synthgen/data/image_folder.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/io/image_tensor.h"

namespace synthgen::data {
namespace {

namespace F = torch::nn::functional;

double uniform(double low, double high) { return low + (high - low) * torch::rand({}).item<double>(); }

// Blurs [C, H, W] with a separable Gaussian, reflecting at the borders.
torch::Tensor gaussian_blur(const torch::Tensor& image, double sigma) {
  const torch::Tensor kernel = gaussian_kernel(sigma).to(image.options());
  const std::int64_t taps = kernel.size(0);
  const std::int64_t radius = taps / 2;
  const std::int64_t channels = image.size(0);
  // Reflection needs the pad below each side; a tiny image keeps its blur within that.
  const std::int64_t pad = std::min({radius, image.size(1) - 1, image.size(2) - 1});
  const torch::Tensor kernel_used = kernel.slice(0, radius - pad, radius + pad + 1);
  const torch::Tensor used = kernel_used / kernel_used.sum();
  torch::Tensor x = image.unsqueeze(0);
  x = F::pad(x, F::PadFuncOptions({pad, pad, pad, pad}).mode(torch::kReflect));
  x = F::conv2d(x, used.view({1, 1, 1, -1}).expand({channels, 1, 1, used.size(0)}),
                F::Conv2dFuncOptions().groups(channels));
  x = F::conv2d(x, used.view({1, 1, -1, 1}).expand({channels, 1, used.size(0), 1}),
                F::Conv2dFuncOptions().groups(channels));
  return x.squeeze(0);
}

// JPEG round trip of one [C, H, W] image in [-1, 1] that holds 8-bit levels.
torch::Tensor jpeg_round_trip(const torch::Tensor& image, int quality) {
  const torch::Tensor pixels = io::to_uint8_images(image.unsqueeze(0))[0];
  const std::vector<std::uint8_t> bytes = io::encode_jpeg(io::tensor_to_image(pixels), quality);
  const io::Image decoded =
      io::decode_image(bytes.data(), bytes.size(), static_cast<int>(image.size(0)), "jpeg degradation");
  return io::to_model_input(io::image_to_tensor(decoded), image.device());
}

}  // namespace

std::vector<std::int64_t> window_starts(std::int64_t length, std::int64_t size, std::int64_t stride) {
  std::vector<std::int64_t> starts;
  if (length <= size) return {0};
  for (std::int64_t start = 0; start + size <= length; start += stride) starts.push_back(start);
  if (starts.back() + size < length) starts.push_back(length - size);
  return starts;
}

ImageDataset load_patch_folder(const DataConfig& cfg, int threads, LoadStats* stats) {
  FolderListing listing = list_image_folder(cfg.path);
  if (listing.files.empty()) {
    throw RuntimeError(fmt::format("folder '{}' holds no image files (.png .jpg .jpeg .bmp .tga)", cfg.path));
  }
  if (cfg.max_images > 0 && listing.files.size() > static_cast<std::size_t>(cfg.max_images)) {
    listing.files.resize(static_cast<std::size_t>(cfg.max_images));
  }
  const int size = cfg.image_size;
  io::DecodeLimits limits;
  limits.max_side = cfg.max_image_side;
  std::vector<torch::Tensor> patches;
  std::int64_t usable = 0;
  std::int64_t skipped = 0;
  // Few, large files: decoding is not worth threads here; `threads` is kept for the interface.
  (void)threads;
  for (const std::string& file : listing.files) {
    io::Image image;
    try {
      image = io::read_image(file, cfg.channels, limits);
    } catch (const RuntimeError& e) {
      log_warn("{}; skipped", e.what());
      ++skipped;
      continue;
    }
    const int shorter = std::min(image.width, image.height);
    if (shorter < size) {
      // Too small for one square: enlarged so that its shorter side is image_size.
      const double factor = static_cast<double>(size) / shorter;
      image = io::resize_image(image, std::max(size, static_cast<int>(std::lround(image.width * factor))),
                               std::max(size, static_cast<int>(std::lround(image.height * factor))));
    }
    const torch::Tensor chw = io::image_to_tensor(image);
    for (const std::int64_t top : window_starts(image.height, size, size / 2)) {
      for (const std::int64_t left : window_starts(image.width, size, size / 2)) {
        patches.push_back(chw.slice(1, top, top + size).slice(2, left, left + size));
      }
    }
    ++usable;
  }
  if (usable == 0) {
    throw RuntimeError(
        fmt::format("folder '{}' has no usable image: all {} files were skipped", cfg.path, listing.files.size()));
  }
  if (skipped > 0) log_warn("skipped {} of {} files in {}", skipped, listing.files.size(), cfg.path);
  ImageDataset dataset;
  dataset.images = torch::stack(patches).contiguous();
  if (stats != nullptr) {
    stats->loaded = dataset.size();
    stats->skipped = skipped;
  }
  return dataset;
}

torch::Tensor random_sr_crops(const torch::Tensor& images, int patch, bool flips_and_rotations) {
  const std::int64_t height = images.size(2);
  const std::int64_t width = images.size(3);
  if (height < patch || width < patch) {
    throw UsageError(fmt::format("random_sr_crops: {}x{} images are smaller than the {} crop", height, width, patch));
  }
  std::vector<torch::Tensor> crops;
  crops.reserve(static_cast<std::size_t>(images.size(0)));
  for (std::int64_t b = 0; b < images.size(0); ++b) {
    const std::int64_t top = torch::randint(height - patch + 1, {}).item<std::int64_t>();
    const std::int64_t left = torch::randint(width - patch + 1, {}).item<std::int64_t>();
    torch::Tensor crop = images[b].slice(1, top, top + patch).slice(2, left, left + patch);
    if (flips_and_rotations) {
      const std::int64_t symmetry = torch::randint(8, {}).item<std::int64_t>();
      if (symmetry & 4) crop = crop.flip({2});
      crop = torch::rot90(crop, symmetry & 3, {1, 2});
    }
    crops.push_back(crop);
  }
  return torch::stack(crops).contiguous();
}

Degradation degradation_from(const SrganSettings& sr) {
  Degradation degradation;
  degradation.blur_sigma_max = sr.sr_blur;
  degradation.noise_max = sr.sr_noise;
  degradation.jpeg_min_quality = sr.sr_jpeg;
  return degradation;
}

torch::Tensor gaussian_kernel(double sigma) {
  if (!(sigma > 0.0)) throw UsageError(fmt::format("gaussian_kernel: sigma must be > 0, got {}", sigma));
  const auto radius = static_cast<std::int64_t>(std::ceil(3.0 * sigma));
  const torch::Tensor x = torch::arange(-radius, radius + 1, torch::kFloat64);
  const torch::Tensor kernel = torch::exp(-x.square() / (2.0 * sigma * sigma));
  return (kernel / kernel.sum()).to(torch::kFloat);
}

torch::Tensor make_lr_images(const torch::Tensor& hr, int scale, const Degradation& degradation) {
  torch::NoGradGuard no_grad;
  const std::int64_t height = hr.size(2);
  const std::int64_t width = hr.size(3);
  if (height % scale != 0 || width % scale != 0) {
    throw UsageError(fmt::format("make_lr_images: {}x{} is not a multiple of the scale {}", height, width, scale));
  }
  torch::Tensor source = hr;
  if (degradation.blur_sigma_max > 0.0) {
    std::vector<torch::Tensor> blurred;
    for (std::int64_t b = 0; b < hr.size(0); ++b) {
      blurred.push_back(gaussian_blur(hr[b], uniform(0.2, std::max(0.2, degradation.blur_sigma_max))));
    }
    source = torch::stack(blurred);
  }
  torch::Tensor lr = bicubic_resize(source, height / scale, width / scale);
  if (degradation.noise_max > 0.0) {
    const torch::Tensor sigma = torch::rand({hr.size(0), 1, 1, 1}, hr.options()) * (degradation.noise_max / 127.5);
    lr = lr + sigma * torch::randn_like(lr);
  }
  // LR inputs at inference are 8-bit files: train on the same levels.
  lr = (((lr.clamp(-1.0, 1.0) + 1.0) * 127.5).round() / 127.5 - 1.0).contiguous();
  if (degradation.jpeg_min_quality > 0) {
    for (std::int64_t b = 0; b < lr.size(0); ++b) {
      const int quality = degradation.jpeg_min_quality +
                          static_cast<int>(torch::randint(96 - degradation.jpeg_min_quality, {}).item<std::int64_t>());
      lr[b].copy_(jpeg_round_trip(lr[b], quality));
    }
  }
  return lr;
}

}  // namespace synthgen::data
