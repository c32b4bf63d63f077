#include "synthgen/metrics/image_quality.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "synthgen/core/error.h"
#include "synthgen/core/tensor_text.h"

namespace synthgen::metrics {
namespace {

constexpr int kWindowSize = 11;
constexpr double kWindowSigma = 1.5;
constexpr double kPeak = 255.0;

torch::Tensor as_image(const torch::Tensor& image, const char* what) {
  if (image.dim() != 3) {
    throw RuntimeError(fmt::format("{}: expected an image [C, H, W], got shape {}", what, shape_text(image)));
  }
  return image.to(torch::kCPU, torch::kFloat64);
}

void check_same_shape(const torch::Tensor& a, const torch::Tensor& b, const char* what) {
  if (a.sizes() != b.sizes()) {
    throw RuntimeError(fmt::format("{}: image shapes differ: {} vs {}", what, shape_text(a), shape_text(b)));
  }
}

// [1, 1, 11, 11] outer product of the normalised 1-D Gaussian.
torch::Tensor gaussian_window() {
  const torch::Tensor offsets = torch::arange(kWindowSize, torch::kFloat64) - static_cast<double>(kWindowSize / 2);
  torch::Tensor kernel = torch::exp(-offsets.pow(2) / (2.0 * kWindowSigma * kWindowSigma));
  kernel = kernel / kernel.sum();
  return torch::outer(kernel, kernel).view({1, 1, kWindowSize, kWindowSize});
}

// Window-weighted local means at the valid positions: [C, 1, H, W] -> [C, 1, H - 10, W - 10].
torch::Tensor local_mean(const torch::Tensor& planes, const torch::Tensor& window) {
  return torch::conv2d(planes, window);
}

}  // namespace

torch::Tensor rgb_to_y(const torch::Tensor& rgb) {
  const torch::Tensor image = as_image(rgb, "rgb_to_y");
  if (image.size(0) != 3) {
    throw RuntimeError(fmt::format("rgb_to_y: expected 3 channels (RGB), got shape {}", shape_text(image)));
  }
  // BasicSR applies 16 + 65.481 r + 128.553 g + 24.966 b to r, g, b in [0, 1].
  const torch::Tensor y = (65.481 * image[0] + 128.553 * image[1] + 24.966 * image[2]) / kPeak;
  return (y + 16.0).unsqueeze(0);
}

torch::Tensor crop_border(const torch::Tensor& image, int border) {
  if (image.dim() != 3) {
    throw RuntimeError(fmt::format("crop_border: expected an image [C, H, W], got shape {}", shape_text(image)));
  }
  if (border < 0 || 2 * border >= image.size(1) || 2 * border >= image.size(2)) {
    throw RuntimeError(
        fmt::format("crop_border: cannot crop {} pixels from each side of {}", border, shape_text(image)));
  }
  if (border == 0) return image;
  return image.slice(1, border, image.size(1) - border).slice(2, border, image.size(2) - border);
}

double psnr(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor x = as_image(a, "psnr");
  const torch::Tensor y = as_image(b, "psnr");
  check_same_shape(x, y, "psnr");
  const double mse = (x - y).pow(2).mean().item<double>();
  if (mse == 0.0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(kPeak * kPeak / mse);
}

double ssim(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor image_a = as_image(a, "ssim");
  const torch::Tensor image_b = as_image(b, "ssim");
  check_same_shape(image_a, image_b, "ssim");
  if (image_a.size(1) < kWindowSize || image_a.size(2) < kWindowSize) {
    throw RuntimeError(
        fmt::format("ssim: images must be at least {}x{}, got shape {}", kWindowSize, kWindowSize, shape_text(a)));
  }
  const double c1 = std::pow(0.01 * kPeak, 2);
  const double c2 = std::pow(0.03 * kPeak, 2);
  const torch::Tensor window = gaussian_window();
  const torch::Tensor x = image_a.unsqueeze(1);  // channels as a batch of one-plane images
  const torch::Tensor y = image_b.unsqueeze(1);

  const torch::Tensor mu_x = local_mean(x, window);
  const torch::Tensor mu_y = local_mean(y, window);
  const torch::Tensor var_x = local_mean(x * x, window) - mu_x * mu_x;
  const torch::Tensor var_y = local_mean(y * y, window) - mu_y * mu_y;
  const torch::Tensor cov_xy = local_mean(x * y, window) - mu_x * mu_y;
  const torch::Tensor map =
      ((2 * mu_x * mu_y + c1) * (2 * cov_xy + c2)) / ((mu_x * mu_x + mu_y * mu_y + c1) * (var_x + var_y + c2));
  // Mean over positions per channel, then over channels: equal sizes make it the overall mean.
  return map.mean().item<double>();
}

}  // namespace synthgen::metrics
