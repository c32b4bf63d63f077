#include "synthgen/models/pix2pix.h"

#include <fmt/format.h>

#include <algorithm>

#include "synthgen/core/error.h"
#include "synthgen/models/translation_blocks.h"

namespace synthgen::models {
namespace {

std::int64_t unet_width(int level, int base) { return static_cast<std::int64_t>(base) * std::min(1 << level, 8); }

torch::nn::Conv2dOptions conv4(std::int64_t in, std::int64_t out, std::int64_t stride, bool bias) {
  return torch::nn::Conv2dOptions(in, out, 4).stride(stride).padding(1).bias(bias);
}

}  // namespace

int unet_levels_for(const Pix2pixSettings& pix2pix, int image_size) {
  if (pix2pix.unet_levels > 0) return pix2pix.unet_levels;
  int levels = 0;
  for (int side = image_size; side % 2 == 0 && levels < 8; side /= 2) ++levels;
  if (levels < 2) {
    throw ConfigError(
        fmt::format("data.image_size {}: pix2pix's U-Net needs a side divisible by 4 (or set "
                    "model.unet_levels)",
                    image_size));
  }
  return levels;
}

UnetGeneratorImpl::UnetGeneratorImpl(int in_channels, int out_channels, int base_channels, int levels,
                                     const std::string& norm)
    : levels_(levels) {
  if (levels < 2) throw ConfigError(fmt::format("model.unet_levels: expected at least 2, got {}", levels));
  const bool bias = translation_conv_bias(norm);
  for (int i = 0; i < levels; ++i) {
    const std::int64_t in = i == 0 ? in_channels : unet_width(i - 1, base_channels);
    // The outermost conv sees raw pixels and the innermost one a 1 x 1 map: neither is normalised.
    const bool normalised = i > 0 && i < levels - 1;
    down_.push_back(register_module(
        fmt::format("down{}", i), torch::nn::Conv2d(conv4(in, unet_width(i, base_channels), 2, bias || !normalised))));
    down_norm_.push_back(normalised ? translation_norm(norm, unet_width(i, base_channels))
                                    : torch::nn::AnyModule(torch::nn::Identity()));
    if (normalised) register_module(fmt::format("down{}_norm", i), down_norm_.back().ptr());
  }
  for (int i = 0; i < levels; ++i) {
    // Up-conv i undoes down-conv i: it takes the innermost features alone, or the previous up
    // output joined to down-conv i's output, and gives down-conv i's input width.
    const std::int64_t in = i == levels - 1 ? unet_width(i, base_channels) : 2 * unet_width(i, base_channels);
    const std::int64_t out = i == 0 ? out_channels : unet_width(i - 1, base_channels);
    const bool normalised = i > 0;
    up_.push_back(register_module(
        fmt::format("up{}", i),
        TransposedConv2d(TransposedConv2dOptions(in, out, 4).stride(2).padding(1).bias(bias || !normalised))));
    up_norm_.push_back(normalised ? translation_norm(norm, out) : torch::nn::AnyModule(torch::nn::Identity()));
    if (normalised) register_module(fmt::format("up{}_norm", i), up_norm_.back().ptr());
    up_dropout_.push_back(i >= std::max(1, levels - 4) && i <= levels - 2);
  }
  init_translation_weights(*this);
}

torch::Tensor UnetGeneratorImpl::forward(const torch::Tensor& x) {
  if (x.size(2) % stride() != 0 || x.size(3) % stride() != 0) {
    throw UsageError(
        fmt::format("U-Net input {}x{} is not a multiple of its stride {}", x.size(2), x.size(3), stride()));
  }
  std::vector<torch::Tensor> skips;
  torch::Tensor h = x;
  for (int i = 0; i < levels_; ++i) {
    if (i > 0) h = torch::leaky_relu(h, 0.2);
    h = down_norm_[i].forward(down_[i]->forward(h));
    skips.push_back(h);
  }
  for (int i = levels_ - 1; i >= 0; --i) {
    if (i < levels_ - 1) h = torch::cat({skips[i], h}, 1);
    h = up_[i]->forward(torch::relu(h));
    if (i == 0) return torch::tanh(h);
    h = up_norm_[i].forward(h);
    if (up_dropout_[i]) h = torch::dropout(h, kDropout, is_training());
  }
  return h;  // not reached: level 0 returns
}

std::int64_t receptive_field(const std::vector<ConvGeometry>& layers) {
  std::int64_t field = 1;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) field = (field - 1) * it->stride + it->kernel;
  return field;
}

PatchDiscriminatorImpl::PatchDiscriminatorImpl(int in_channels, int base_channels, const std::string& norm) {
  const bool bias = translation_conv_bias(norm);
  layers_ = register_module("layers", torch::nn::Sequential());
  const std::int64_t b = base_channels;
  layers_->push_back(torch::nn::Conv2d(conv4(in_channels, b, 2, true)));
  layers_->push_back(torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)));
  const std::vector<std::pair<std::int64_t, std::int64_t>> widths = {{b, 2 * b}, {2 * b, 4 * b}, {4 * b, 8 * b}};
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const std::int64_t stride = i + 1 < widths.size() ? 2 : 1;
    layers_->push_back(torch::nn::Conv2d(conv4(widths[i].first, widths[i].second, stride, bias)));
    layers_->push_back(translation_norm(norm, widths[i].second));
    layers_->push_back(torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)));
  }
  layers_->push_back(torch::nn::Conv2d(conv4(8 * b, 1, 1, true)));
  init_translation_weights(*this);
}

torch::Tensor PatchDiscriminatorImpl::forward(const torch::Tensor& x) { return layers_->forward(x); }

std::vector<ConvGeometry> PatchDiscriminatorImpl::geometry() const {
  std::vector<ConvGeometry> layers;
  for (const auto& child : layers_->children()) {
    if (const auto* conv = child->as<torch::nn::Conv2dImpl>()) {
      layers.push_back({conv->options.kernel_size()->at(0), conv->options.stride()->at(0)});
    }
  }
  return layers;
}

}  // namespace synthgen::models
