#include "synthgen/models/sr_tiling.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"
#include "synthgen/data/sr_pairs.h"

namespace synthgen::models {

torch::Tensor tile_ramp(std::int64_t length, std::int64_t ramp, bool has_before, bool has_after) {
  torch::Tensor weights = torch::ones({length});
  if (ramp <= 0) return weights;
  const torch::Tensor position = torch::arange(length, torch::kFloat) + 0.5;
  if (has_before) weights = torch::minimum(weights, position / static_cast<double>(ramp));
  if (has_after) weights = torch::minimum(weights, position.flip({0}) / static_cast<double>(ramp));
  return weights;
}

torch::Tensor upscale_tiled(const ImageNetwork& network, const torch::Tensor& image, int scale, int tile, int overlap) {
  if (image.dim() != 4 || image.size(0) != 1) {
    throw UsageError(fmt::format("upscale_tiled: expected one image [1, C, H, W], got {}", c10::str(image.sizes())));
  }
  if (tile < 0 || (tile > 0 && (overlap < 0 || overlap >= tile))) {
    throw UsageError(
        fmt::format("--tile {} --tile-overlap {}: expected tile > overlap >= 0 (or --tile 0)", tile, overlap));
  }
  const std::int64_t height = image.size(2);
  const std::int64_t width = image.size(3);
  const std::int64_t tile_h = tile == 0 ? height : std::min<std::int64_t>(tile, height);
  const std::int64_t tile_w = tile == 0 ? width : std::min<std::int64_t>(tile, width);
  const std::vector<std::int64_t> tops = data::window_starts(height, tile_h, tile_h - overlap);
  const std::vector<std::int64_t> lefts = data::window_starts(width, tile_w, tile_w - overlap);
  torch::Tensor output;
  torch::Tensor weight_sum;
  const std::int64_t ramp = static_cast<std::int64_t>(overlap) * scale;
  for (std::size_t y = 0; y < tops.size(); ++y) {
    const torch::Tensor ramp_y =
        tile_ramp(tile_h * scale, ramp, y > 0, y + 1 < tops.size()).to(image.device()).view({-1, 1});
    for (std::size_t x = 0; x < lefts.size(); ++x) {
      const torch::Tensor input =
          image.slice(2, tops[y], tops[y] + tile_h).slice(3, lefts[x], lefts[x] + tile_w).contiguous();
      const torch::Tensor result = network(input).to(torch::kFloat);
      if (result.size(2) != tile_h * scale || result.size(3) != tile_w * scale) {
        throw RuntimeError(fmt::format("upscale_tiled: the network made {} from {} at scale {}",
                                       c10::str(result.sizes()), c10::str(input.sizes()), scale));
      }
      if (!output.defined()) {
        output = torch::zeros({1, result.size(1), height * scale, width * scale}, result.options());
        weight_sum = torch::zeros({height * scale, width * scale}, result.options());
      }
      const torch::Tensor window =
          ramp_y * tile_ramp(tile_w * scale, ramp, x > 0, x + 1 < lefts.size()).to(image.device()).view({1, -1});
      const std::int64_t top = tops[y] * scale;
      const std::int64_t left = lefts[x] * scale;
      output.slice(2, top, top + tile_h * scale).slice(3, left, left + tile_w * scale).add_(result * window);
      weight_sum.slice(0, top, top + tile_h * scale).slice(1, left, left + tile_w * scale).add_(window);
    }
  }
  return output / weight_sum;
}

torch::Tensor translate_padded(const ImageNetwork& network, const torch::Tensor& image, std::int64_t stride,
                               std::int64_t min_side) {
  const std::int64_t height = image.size(2);
  const std::int64_t width = image.size(3);
  auto padded_side = [stride, min_side](std::int64_t side) {
    const std::int64_t wanted = std::max(side, min_side);
    return (wanted + stride - 1) / stride * stride;
  };
  const std::int64_t pad_y = padded_side(height) - height;
  const std::int64_t pad_x = padded_side(width) - width;
  if (pad_y == 0 && pad_x == 0) return network(image);
  const std::int64_t top = pad_y / 2;
  const std::int64_t left = pad_x / 2;
  // Mirroring continues the image's texture; it needs each pad to be shorter than the side.
  const bool mirror = pad_y - top < height && top < height && pad_x - left < width && left < width;
  namespace F = torch::nn::functional;
  F::PadFuncOptions options({left, pad_x - left, top, pad_y - top});
  if (mirror) {
    options.mode(torch::kReflect);
  } else {
    options.mode(torch::kReplicate);
  }
  const torch::Tensor padded = F::pad(image, options);
  return network(padded).slice(2, top, top + height).slice(3, left, left + width);
}

}  // namespace synthgen::models
