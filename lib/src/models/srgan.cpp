#include "synthgen/models/srgan.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"
#include "synthgen/data/bicubic.h"
#include "synthgen/models/blocks.h"

namespace synthgen::models {
namespace {

namespace nn = torch::nn;

// ESRGAN initialises its blocks with Kaiming-normal weights scaled by 0.1: each block starts close
// to the identity, which keeps a deep trunk trainable without normalisation.
void init_block_conv(nn::Conv2d& conv, double scale = 0.1) {
  torch::NoGradGuard no_grad;
  nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanIn, torch::kReLU);
  conv->weight.mul_(scale);
  if (conv->bias.defined()) conv->bias.zero_();
}

torch::Tensor lrelu(const torch::Tensor& x) { return torch::leaky_relu(x, 0.2); }

}  // namespace

SrResidualBlockImpl::SrResidualBlockImpl(int channels)
    : conv1_(register_module("conv1", conv3x3(channels, channels))),
      conv2_(register_module("conv2", conv3x3(channels, channels))) {
  init_block_conv(conv1_);
  init_block_conv(conv2_);
}

torch::Tensor SrResidualBlockImpl::forward(const torch::Tensor& x) {
  return x + conv2_->forward(torch::relu(conv1_->forward(x)));
}

DenseBlockImpl::DenseBlockImpl(int channels, int growth) {
  for (int i = 0; i < 5; ++i) {
    const int out = i == 4 ? channels : growth;
    convs_.push_back(register_module(fmt::format("conv{}", i + 1), conv3x3(channels + i * growth, out)));
    init_block_conv(convs_.back());
  }
}

torch::Tensor DenseBlockImpl::forward(const torch::Tensor& x) {
  std::vector<torch::Tensor> features = {x};
  for (std::size_t i = 0; i + 1 < convs_.size(); ++i) {
    features.push_back(lrelu(convs_[i]->forward(torch::cat(features, 1))));
  }
  return x + 0.2 * convs_.back()->forward(torch::cat(features, 1));
}

RrdbImpl::RrdbImpl(int channels, int growth)
    : block1_(register_module("block1", DenseBlock(channels, growth))),
      block2_(register_module("block2", DenseBlock(channels, growth))),
      block3_(register_module("block3", DenseBlock(channels, growth))) {}

torch::Tensor RrdbImpl::forward(const torch::Tensor& x) {
  return x + 0.2 * block3_->forward(block2_->forward(block1_->forward(x)));
}

PixelShuffleUpImpl::PixelShuffleUpImpl(int channels)
    : conv_(register_module("conv", conv3x3(channels, 4 * channels))),
      shuffle_(register_module("shuffle", nn::PixelShuffle(nn::PixelShuffleOptions(2)))) {}

torch::Tensor PixelShuffleUpImpl::forward(const torch::Tensor& x) {
  return lrelu(shuffle_->forward(conv_->forward(x)));
}

SrGeneratorImpl::SrGeneratorImpl(const Config& config)
    : scale_(config.srgan.sr_scale), channels_(config.data.channels), bicubic_skip_(config.srgan.sr_bicubic_skip) {
  if (scale_ != 2 && scale_ != 4) {
    throw ConfigError(fmt::format("model.sr_scale: expected 2 or 4, got {}", scale_));
  }
  const int features = config.model.base_channels;
  head_ = register_module("head", conv3x3(channels_, features));
  trunk_ = register_module("trunk", nn::Sequential());
  for (int i = 0; i < config.srgan.sr_blocks; ++i) {
    if (config.srgan.sr_block == "rrdb") {
      trunk_->push_back(Rrdb(features, config.srgan.sr_growth));
    } else {
      trunk_->push_back(SrResidualBlock(features));
    }
  }
  trunk_conv_ = register_module("trunk_conv", conv3x3(features, features));
  upsample_ = register_module("upsample", nn::Sequential());
  for (int factor = scale_; factor > 1; factor /= 2) upsample_->push_back(PixelShuffleUp(features));
  hr_conv_ = register_module("hr_conv", conv3x3(features, features));
  out_conv_ = register_module("out_conv", conv3x3(features, channels_));
  // With the bicubic skip G starts from bicubic: a small last layer keeps its first residuals
  // small.
  if (bicubic_skip_) init_block_conv(out_conv_);
}

torch::Tensor SrGeneratorImpl::forward(const torch::Tensor& lr) {
  const torch::Tensor head = head_->forward(lr);
  torch::Tensor x = head + trunk_conv_->forward(trunk_->forward(head));
  x = upsample_->forward(x);
  x = out_conv_->forward(lrelu(hr_conv_->forward(x)));
  if (bicubic_skip_) x = x + data::bicubic_resize(lr, lr.size(2) * scale_, lr.size(3) * scale_);
  return x;
}

SrDiscriminatorImpl::SrDiscriminatorImpl(const Config& config) : patch_(config.srgan.sr_patch) {
  const int base = config.model.base_channels;
  const bool batch_norm = config.model.norm == "batch";
  features_ = register_module("features", nn::Sequential());
  auto add_conv = [&](int in, int out, int kernel, int stride, bool norm) {
    features_->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(1).bias(!norm)));
    if (norm) features_->push_back(nn::BatchNorm2d(out));
    features_->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)));
  };
  int side = patch_;
  int channels = base;
  add_conv(config.data.channels, base, 3, 1, false);
  add_conv(base, base, 4, 2, batch_norm);
  side /= 2;
  for (int level = 1; level < 5 && side / 2 >= 4; ++level) {
    const int out = base * std::min(8, 1 << level);
    add_conv(channels, out, 3, 1, batch_norm);
    add_conv(out, out, 4, 2, batch_norm);
    channels = out;
    side /= 2;
  }
  classifier_ = register_module(
      "classifier", nn::Sequential(nn::Flatten(), nn::Linear(channels * side * side, 100),
                                   nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)), nn::Linear(100, 1)));
}

torch::Tensor SrDiscriminatorImpl::forward(const torch::Tensor& images) {
  if (images.size(2) != patch_ || images.size(3) != patch_) {
    throw UsageError(fmt::format("srgan discriminator: expected {}x{} crops (train.sr_patch), got {}x{}", patch_,
                                 patch_, images.size(2), images.size(3)));
  }
  return classifier_->forward(features_->forward(images)).view({-1});
}

}  // namespace synthgen::models
