#include "synthgen/train/diff_augment.h"

#include <fmt/format.h>

#include <sstream>

#include "synthgen/core/error.h"

namespace synthgen::train {
namespace {

constexpr double kTranslationRatio = 0.125;
constexpr double kCutoutRatio = 0.5;

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// One uniform draw per image, shaped [B, 1, 1, 1] to broadcast over the image.
torch::Tensor per_image_uniform(const torch::Tensor& x) { return torch::rand({x.size(0), 1, 1, 1}, x.options()); }

// Integers in [low, high) per image, shaped [B, 1, 1] to broadcast over rows and columns.
torch::Tensor per_image_integers(const torch::Tensor& x, std::int64_t low, std::int64_t high) {
  return torch::randint(low, high, {x.size(0), 1, 1}, x.options().dtype(torch::kLong));
}

// The reference rounds a fraction of the side to the nearest integer this way.
std::int64_t fraction_of(std::int64_t side, double ratio) {
  return static_cast<std::int64_t>(static_cast<double>(side) * ratio + 0.5);
}

torch::Tensor augment_color(torch::Tensor x) {
  x = x + (per_image_uniform(x) - 0.5);
  const torch::Tensor pixel_mean = x.mean({1}, /*keepdim=*/true);
  x = (x - pixel_mean) * (per_image_uniform(x) * 2) + pixel_mean;
  const torch::Tensor image_mean = x.mean({1, 2, 3}, /*keepdim=*/true);
  return (x - image_mean) * (per_image_uniform(x) + 0.5) + image_mean;
}

// out[b, :, i, j] = x[b, :, i + dy_b, j + dx_b], or 0 where that falls outside the image. The
// reference pads one zero pixel around the image and clamps indices into the padding; a gather
// from the padded image does the same and keeps the gradient.
torch::Tensor augment_translation(const torch::Tensor& x) {
  const std::int64_t batch = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);
  const std::int64_t max_dy = fraction_of(height, kTranslationRatio);
  const std::int64_t max_dx = fraction_of(width, kTranslationRatio);
  const torch::Tensor dy = per_image_integers(x, -max_dy, max_dy + 1);
  const torch::Tensor dx = per_image_integers(x, -max_dx, max_dx + 1);
  const auto index_options = x.options().dtype(torch::kLong);
  const torch::Tensor rows = (torch::arange(height, index_options).view({1, height, 1}) + dy + 1).clamp(0, height + 1);
  const torch::Tensor cols = (torch::arange(width, index_options).view({1, 1, width}) + dx + 1).clamp(0, width + 1);
  const torch::Tensor flat_index = (rows * (width + 2) + cols).view({batch, 1, height * width});
  const torch::Tensor padded = torch::constant_pad_nd(x, {1, 1, 1, 1}, 0);
  return padded.flatten(2)
      .gather(2, flat_index.expand({batch, channels, height * width}))
      .view({batch, channels, height, width});
}

// Zeroes rows [cy - h/2, cy - h/2 + h) x columns [cx - w/2, cx - w/2 + w), clipped to the image,
// where h, w are half the sides and the centre cy, cx is drawn as in the reference.
torch::Tensor augment_cutout(const torch::Tensor& x) {
  const std::int64_t height = x.size(2), width = x.size(3);
  const std::int64_t cut_h = fraction_of(height, kCutoutRatio);
  const std::int64_t cut_w = fraction_of(width, kCutoutRatio);
  const torch::Tensor centre_y = per_image_integers(x, 0, height + (1 - cut_h % 2));
  const torch::Tensor centre_x = per_image_integers(x, 0, width + (1 - cut_w % 2));
  const auto index_options = x.options().dtype(torch::kLong);
  const torch::Tensor top = centre_y - cut_h / 2;
  const torch::Tensor left = centre_x - cut_w / 2;
  const torch::Tensor rows = torch::arange(height, index_options).view({1, height, 1});
  const torch::Tensor cols = torch::arange(width, index_options).view({1, 1, width});
  const torch::Tensor inside = (rows >= top) & (rows < top + cut_h) & (cols >= left) & (cols < left + cut_w);
  const torch::Tensor keep = torch::logical_not(inside).to(x.scalar_type()).unsqueeze(1);
  return x * keep;
}

}  // namespace

AugmentPolicy parse_augment_policy(const std::string& text) {
  AugmentPolicy policy;
  if (trimmed(text) == "none") return policy;
  std::stringstream words(text);
  std::string word;
  bool any = false;
  while (std::getline(words, word, ',')) {
    word = trimmed(word);
    if (word == "color") {
      policy.color = true;
    } else if (word == "translation") {
      policy.translation = true;
    } else if (word == "cutout") {
      policy.cutout = true;
    } else {
      throw ConfigError(
          fmt::format("train.augment: unknown augmentation '{}'; expected none or a "
                      "comma list of color, translation, cutout",
                      word));
    }
    any = true;
  }
  // getline yields nothing for "" and drops a trailing empty word, as in "color,".
  if (!any || (!text.empty() && text.back() == ',')) {
    throw ConfigError(
        fmt::format("train.augment: unknown augmentation ''; expected none or a "
                    "comma list of color, translation, cutout"));
  }
  return policy;
}

torch::Tensor diff_augment(const torch::Tensor& images, const AugmentPolicy& policy) {
  if (images.dim() != 4) {
    throw UsageError(fmt::format("diff_augment: images have {} dimensions, expected 4 [B, C, H, W]", images.dim()));
  }
  torch::Tensor x = images;
  if (policy.color) x = augment_color(x);
  if (policy.translation) x = augment_translation(x);
  if (policy.cutout) x = augment_cutout(x);
  return x;
}

}  // namespace synthgen::train
