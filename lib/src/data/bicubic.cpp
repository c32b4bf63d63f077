#include "synthgen/data/bicubic.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "synthgen/core/error.h"

namespace synthgen::data {
namespace {

// Keys' cubic convolution kernel with a = -0.5 (PIL, and torch's antialiased bicubic).
double cubic(double x) {
  constexpr double a = -0.5;
  x = std::abs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
  return 0.0;
}

}  // namespace

torch::Tensor bicubic_weights(std::int64_t in_size, std::int64_t out_size, const torch::TensorOptions& options) {
  if (in_size < 1 || out_size < 1) {
    throw UsageError(fmt::format("bicubic_weights: sizes must be >= 1, got {} -> {}", in_size, out_size));
  }
  // Same index arithmetic as ATen's _upsample_bicubic2d_aa (align_corners=false, no scale given),
  // so that the result matches torch to float rounding.
  const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
  const double support = scale >= 1.0 ? 2.0 * scale : 2.0;
  const double inverse = scale >= 1.0 ? 1.0 / scale : 1.0;
  std::vector<double> weights(static_cast<std::size_t>(in_size * out_size), 0.0);
  for (std::int64_t i = 0; i < out_size; ++i) {
    const double center = scale * (static_cast<double>(i) + 0.5);
    const auto first = std::max<std::int64_t>(static_cast<std::int64_t>(center - support + 0.5), 0);
    const auto last = std::min<std::int64_t>(static_cast<std::int64_t>(center + support + 0.5), in_size);
    double total = 0.0;
    double* row = weights.data() + i * in_size;
    for (std::int64_t j = first; j < last; ++j) {
      row[j] = cubic((static_cast<double>(j) - center + 0.5) * inverse);
      total += row[j];
    }
    if (total != 0.0) {
      for (std::int64_t j = first; j < last; ++j) row[j] /= total;
    }
  }
  return torch::from_blob(weights.data(), {out_size, in_size}, torch::kFloat64).to(options);
}

torch::Tensor bicubic_resize(const torch::Tensor& images, std::int64_t out_height, std::int64_t out_width) {
  if (images.dim() < 2 || !images.is_floating_point()) {
    throw UsageError(fmt::format("bicubic_resize: expected float images [..., H, W], got {} {}",
                                 c10::toString(images.scalar_type()), c10::str(images.sizes())));
  }
  const std::int64_t height = images.size(-2);
  const std::int64_t width = images.size(-1);
  if (height == out_height && width == out_width) return images;
  const auto options = images.options();
  const torch::Tensor rows = bicubic_weights(height, out_height, options);
  const torch::Tensor columns = bicubic_weights(width, out_width, options);
  return torch::matmul(torch::matmul(rows, images), columns.t());
}

}  // namespace synthgen::data
