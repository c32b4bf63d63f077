#include "synthgen/models/progan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "synthgen/core/error.h"
#include "synthgen/models/conditioning.h"

namespace synthgen::models {
namespace {

torch::Tensor upsample2(const torch::Tensor& x) { return torch::upsample_nearest2d(x, {2 * x.size(2), 2 * x.size(3)}); }

torch::Tensor downsample2(const torch::Tensor& x) { return torch::avg_pool2d(x, 2); }

void check_growth(const Growth& growth, int max_level) {
  if (growth.level < 0 || growth.level > max_level) {
    throw UsageError(fmt::format("progan growth level {} is out of range: expected 0..{}", growth.level, max_level));
  }
  if (!(growth.alpha >= 0.0 && growth.alpha <= 1.0)) {
    throw UsageError(fmt::format("progan growth alpha {} is out of range: expected 0..1", growth.alpha));
  }
}

// The fade weight in use: level 0 has nothing to fade from.
double fade_alpha(const Growth& growth) { return growth.level == 0 ? 1.0 : growth.alpha; }

}  // namespace

int progan_max_level(int image_size) {
  int level = 0;
  while (progan_resolution(level) < image_size) ++level;
  if (level < 1 || progan_resolution(level) != image_size) {
    throw ConfigError(
        fmt::format("data.image_size {} is not supported by progan: expected 4 * 2^n with n >= 1 "
                    "(8, 16, 32, 64, 128, 256, ...)",
                    image_size));
  }
  return level;
}

int progan_resolution(int level) { return 4 << level; }

std::int64_t progan_channels(int level, int max_level, const Config& config) {
  const std::int64_t cap = config.progan.max_channels;
  std::int64_t channels = std::min<std::int64_t>(config.model.base_channels, cap);
  for (int l = max_level; l > level && channels < cap; --l) channels = std::min(2 * channels, cap);
  return channels;
}

torch::Tensor progan_real_images(const torch::Tensor& images, const Growth& growth) {
  const std::int64_t size = progan_resolution(growth.level);
  const std::int64_t full = images.size(-1);
  const std::int64_t factor = full / size;
  if (images.dim() != 4 || images.size(-2) != full || full % size != 0 || factor < 1 || (factor & (factor - 1)) != 0) {
    throw RuntimeError(
        fmt::format("progan: real images of shape [{}] cannot be brought to {}x{} (growth level {}): expected "
                    "square images of {} * 2^k pixels",
                    fmt::join(images.sizes(), ", "), size, size, growth.level, size));
  }
  torch::Tensor x = factor > 1 ? torch::avg_pool2d(images, factor) : images;
  const double alpha = fade_alpha(growth);
  if (alpha < 1.0) x = alpha * x + (1.0 - alpha) * upsample2(downsample2(x));
  return x;
}

ProganGeneratorBlockImpl::ProganGeneratorBlockImpl(int level, std::int64_t in_channels, std::int64_t out_channels,
                                                   const Config& config)
    : out_channels_(out_channels) {
  if (level > 0) {
    conv0_ = register_module("conv0", EqualizedConv2d(EqualizedConv2dOptions(in_channels, out_channels, 3)));
  } else if (config.progan.style_modulation) {
    // N(0, 1) rather than StyleGAN 1's ones: AdaIN of a spatially constant map is degenerate.
    constant_ = register_parameter("constant", torch::randn({1, out_channels, 4, 4}));
  } else {
    dense_ =
        register_module("dense", EqualizedLinear(EqualizedLinearOptions(config.model.latent_dim, out_channels * 16)));
  }
  conv1_ = register_module("conv1", EqualizedConv2d(EqualizedConv2dOptions(out_channels, out_channels, 3)));
  for (int i = 0; i < 2; ++i) {
    if (config.progan.noise_inputs) {
      noise_[i] = register_module(fmt::format("noise{}", i), NoiseInput(out_channels));
    }
    if (config.progan.style_modulation) {
      style_[i] = register_module(fmt::format("style{}", i), StyleModulation(config.model.latent_dim, out_channels));
    }
  }
}

torch::Tensor ProganGeneratorBlockImpl::forward(const torch::Tensor& h, const torch::Tensor& w) {
  torch::Tensor x;
  if (dense_) {
    x = dense_->forward(w).view({w.size(0), out_channels_, 4, 4});
  } else if (constant_.defined()) {
    x = constant_.expand({w.size(0), -1, -1, -1});
  } else {
    x = conv0_->forward(upsample2(h));
  }
  x = finish(x, w, 0);
  return finish(conv1_->forward(x), w, 1);
}

torch::Tensor ProganGeneratorBlockImpl::finish(torch::Tensor x, const torch::Tensor& w, int index) {
  if (noise_[index]) x = noise_[index]->forward(x);
  x = progan_leaky_relu(x);
  return style_[index] ? style_[index]->forward(x, w) : pixel_norm_->forward(x);
}

ProganDiscriminatorBlockImpl::ProganDiscriminatorBlockImpl(std::int64_t in_channels, std::int64_t out_channels)
    : conv0_(register_module("conv0", EqualizedConv2d(EqualizedConv2dOptions(in_channels, in_channels, 3)))),
      conv1_(register_module("conv1", EqualizedConv2d(EqualizedConv2dOptions(in_channels, out_channels, 3)))) {}

torch::Tensor ProganDiscriminatorBlockImpl::forward(const torch::Tensor& x) {
  const torch::Tensor h = progan_leaky_relu(conv0_->forward(x));
  return downsample2(progan_leaky_relu(conv1_->forward(h)));
}

ProganDiscriminatorHeadImpl::ProganDiscriminatorHeadImpl(std::int64_t channels, std::int64_t num_classes)
    : channels_(channels) {
  conv_ = register_module("conv", EqualizedConv2d(EqualizedConv2dOptions(channels + 1, channels, 3)));
  dense_ = register_module("dense", EqualizedLinear(EqualizedLinearOptions(channels * 16, channels)));
  output_ = register_module("output", EqualizedLinear(EqualizedLinearOptions(channels, 1).gain(1.0)));
  if (num_classes > 0) {
    class_embedding_ = register_module("class_embedding", torch::nn::Embedding(num_classes, channels));
  }
}

torch::Tensor ProganDiscriminatorHeadImpl::forward(const torch::Tensor& x, const torch::Tensor& labels) {
  const torch::Tensor features = progan_leaky_relu(conv_->forward(stddev_->forward(x)));
  const torch::Tensor h = progan_leaky_relu(dense_->forward(features.flatten(1)));
  torch::Tensor logits = output_->forward(h).view({-1});
  if (class_embedding_) {
    const torch::Tensor projection = (class_embedding_->forward(labels) * h).sum(1);
    logits = logits + projection / std::sqrt(static_cast<double>(channels_));
  }
  return logits;
}

ProganGenerator::ProganGenerator(const Config& config)
    : latent_dim_(config.model.latent_dim),
      num_classes_(config.model.num_classes),
      max_level_(progan_max_level(config.data.image_size)),
      growth_{max_level_, 1.0} {
  if (config.progan.mapping_layers > 0) {
    mapping_ = register_module("mapping", MappingNetwork(latent_dim_, config.progan.mapping_layers));
    w_avg_ = register_buffer("w_avg", torch::zeros({latent_dim_}));
  }
  if (num_classes_ > 0) {
    class_embedding_ = register_module("class_embedding", torch::nn::Embedding(num_classes_, latent_dim_));
  }
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  to_rgb_ = register_module("to_rgb", torch::nn::ModuleList());
  for (int level = 0; level <= max_level_; ++level) {
    const std::int64_t in = level > 0 ? progan_channels(level - 1, max_level_, config) : 0;
    const std::int64_t out = progan_channels(level, max_level_, config);
    blocks_->push_back(ProganGeneratorBlock(level, in, out, config));
    to_rgb_->push_back(EqualizedConv2d(EqualizedConv2dOptions(out, config.data.channels, 1).gain(1.0)));
  }
}

void ProganGenerator::set_growth(const Growth& growth) {
  check_growth(growth, max_level_);
  growth_ = growth;
}

torch::Tensor ProganGenerator::latent_to_w(const torch::Tensor& z, const torch::Tensor& labels) {
  torch::Tensor input = z;
  if (num_classes_ > 0) {
    // Added, not multiplied: the class then shifts the mean of G's input, not only its signs.
    check_labels(labels, num_classes_, z.size(0));
    input = pixel_norm_->forward(z) + pixel_norm_->forward(class_embedding_->forward(labels));
  }
  return mapping_ ? mapping_->forward(input) : pixel_norm_->forward(input);
}

torch::Tensor ProganGenerator::synthesize(const torch::Tensor& w) {
  const int level = growth_.level;
  torch::Tensor h;
  for (int l = 0; l < level; ++l) h = blocks_->at<ProganGeneratorBlockImpl>(l).forward(h, w);
  const torch::Tensor top = blocks_->at<ProganGeneratorBlockImpl>(level).forward(h, w);
  torch::Tensor image = to_rgb_->at<EqualizedConv2dImpl>(level).forward(top);
  const double alpha = fade_alpha(growth_);
  if (alpha < 1.0) {
    const torch::Tensor previous = upsample2(to_rgb_->at<EqualizedConv2dImpl>(level - 1).forward(h));
    image = alpha * image + (1.0 - alpha) * previous;
  }
  return image;
}

torch::Tensor ProganGenerator::forward(const torch::Tensor& z, const torch::Tensor& labels) {
  const torch::Tensor w = latent_to_w(z, labels);
  if (mapping_ && is_training()) {
    torch::NoGradGuard no_grad;
    w_avg_.lerp_(w.detach().mean(0).to(w_avg_.dtype()), 1.0 - kWAverageDecay);
  }
  return synthesize(w);
}

torch::Tensor ProganGenerator::forward_truncated(const torch::Tensor& z, const torch::Tensor& labels, double psi) {
  torch::Tensor w = latent_to_w(z, labels);
  if (psi != 1.0) {
    w = mapping_ ? w_avg_.to(w.dtype()) + psi * (w - w_avg_.to(w.dtype())) : psi * w;
  }
  return synthesize(w);
}

ProganDiscriminator::ProganDiscriminator(const Config& config)
    : image_channels_(config.data.channels),
      num_classes_(config.model.num_classes),
      max_level_(progan_max_level(config.data.image_size)),
      growth_{max_level_, 1.0} {
  from_rgb_ = register_module("from_rgb", torch::nn::ModuleList());
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  for (int level = 0; level <= max_level_; ++level) {
    const std::int64_t channels = progan_channels(level, max_level_, config);
    from_rgb_->push_back(EqualizedConv2d(EqualizedConv2dOptions(image_channels_, channels, 1)));
    if (level > 0) {
      blocks_->push_back(ProganDiscriminatorBlock(channels, progan_channels(level - 1, max_level_, config)));
    }
  }
  head_ = register_module("head", ProganDiscriminatorHead(progan_channels(0, max_level_, config), num_classes_));
}

void ProganDiscriminator::set_growth(const Growth& growth) {
  check_growth(growth, max_level_);
  growth_ = growth;
}

torch::Tensor ProganDiscriminator::from_rgb(int level, const torch::Tensor& images) {
  return progan_leaky_relu(from_rgb_->at<EqualizedConv2dImpl>(level).forward(images));
}

torch::Tensor ProganDiscriminator::forward(const torch::Tensor& images, const torch::Tensor& labels) {
  const int level = growth_.level;
  const std::int64_t size = progan_resolution(level);
  if (images.dim() != 4 || images.size(1) != image_channels_ || images.size(2) != size || images.size(3) != size) {
    throw RuntimeError(
        fmt::format("progan discriminator: expected images [B, {}, {}, {}] at growth level {}; got [{}] "
                    "(bring real images to the current resolution with progan_real_images)",
                    image_channels_, size, size, level, fmt::join(images.sizes(), ", ")));
  }
  check_labels(labels, num_classes_, images.size(0));
  const torch::Tensor classes = num_classes_ > 0 ? labels : torch::Tensor();

  torch::Tensor h = from_rgb(level, images);
  if (level > 0) {
    h = blocks_->at<ProganDiscriminatorBlockImpl>(level - 1).forward(h);
    const double alpha = fade_alpha(growth_);
    if (alpha < 1.0) h = alpha * h + (1.0 - alpha) * from_rgb(level - 1, downsample2(images));
  }
  for (int l = level - 1; l >= 1; --l) h = blocks_->at<ProganDiscriminatorBlockImpl>(l - 1).forward(h);
  return head_->forward(h, classes);
}

}  // namespace synthgen::models
