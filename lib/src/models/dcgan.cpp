#include "synthgen/models/dcgan.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"
#include "synthgen/models/spectral_norm.h"

namespace synthgen::models {
namespace {

torch::nn::AnyModule norm_layer(const std::string& norm, std::int64_t channels) {
  if (norm == "batch") return torch::nn::AnyModule(torch::nn::BatchNorm2d(channels));
  return torch::nn::AnyModule(torch::nn::Identity());
}

}  // namespace

std::int64_t DcganPlan::channels_at(int level, std::int64_t base_channels) const {
  return base_channels << (num_upsamples - 1 - level);
}

DcganPlan dcgan_plan(int image_size) {
  DcganPlan plan;
  plan.num_upsamples = 0;
  int size = image_size;
  while (size % 2 == 0 && size / 2 >= 4) {
    size /= 2;
    ++plan.num_upsamples;
  }
  plan.start_size = size;
  if (plan.num_upsamples < 1 || size > 7) {
    throw ConfigError(
        fmt::format("data.image_size {} is not supported by dcgan: expected s0 * 2^n with s0 in 4..7 and n >= 1 "
                    "(e.g. 28, 32, 64, 128)",
                    image_size));
  }
  return plan;
}

DcganGenerator::DcganGenerator(const Config& config)
    : latent_dim_(config.model.latent_dim), num_classes_(config.model.num_classes) {
  const DcganPlan plan = dcgan_plan(config.data.image_size);
  const std::int64_t base = config.model.base_channels;
  const std::string& norm = config.model.norm;
  std::int64_t input_dim = latent_dim_;
  if (num_classes_ > 0) {
    label_embedding_ = register_module("label_embedding", torch::nn::Embedding(num_classes_, kLabelEmbeddingDim));
    input_dim += kLabelEmbeddingDim;
  }
  layers_ = register_module("layers", torch::nn::Sequential());

  // z (as a 1x1 map) -> start_size x start_size.
  std::int64_t channels = plan.channels_at(0, base);
  layers_->push_back(TransposedConv2d(TransposedConv2dOptions(input_dim, channels, plan.start_size).bias(false)));
  layers_->push_back(norm_layer(norm, channels));
  layers_->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
  for (int level = 1; level < plan.num_upsamples; ++level) {
    const std::int64_t next = plan.channels_at(level, base);
    layers_->push_back(TransposedConv2d(TransposedConv2dOptions(channels, next, 4).stride(2).padding(1).bias(false)));
    layers_->push_back(norm_layer(norm, next));
    layers_->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
    channels = next;
  }
  layers_->push_back(
      TransposedConv2d(TransposedConv2dOptions(channels, config.data.channels, 4).stride(2).padding(1).bias(false)));
  layers_->push_back(torch::nn::Tanh());
  dcgan_init(*this);
}

torch::Tensor DcganGenerator::forward(const torch::Tensor& z, const torch::Tensor& labels) {
  check_labels(labels, num_classes_, z.size(0));
  const torch::Tensor input =
      num_classes_ > 0 ? torch::cat({z, label_embedding_->forward(labels).to(z.dtype())}, 1) : z;
  return layers_->forward(input.view({input.size(0), input.size(1), 1, 1}));
}

void DcganGenerator::fuse_for_inference() {
  torch::NoGradGuard no_grad;
  auto fused = torch::nn::Sequential();
  const std::size_t count = layers_->size();
  for (std::size_t i = 0; i < count; ++i) {
    const auto conv = layers_[i]->as<TransposedConv2d>();
    const auto norm = i + 1 < count ? layers_[i + 1]->as<torch::nn::BatchNorm2d>() : nullptr;
    if (conv == nullptr || norm == nullptr) {
      fused->push_back(layers_->begin()[static_cast<std::ptrdiff_t>(i)]);
      continue;
    }
    // BN(y) = y * scale + shift per output channel, with eval-mode statistics.
    const torch::Tensor scale = norm->weight / torch::sqrt(norm->running_var + norm->options.eps());
    const torch::Tensor shift = norm->bias - norm->running_mean * scale;
    TransposedConv2dOptions options = conv->options;
    TransposedConv2d merged(options.bias(true));
    merged->weight.copy_(conv->weight * scale.view({1, -1, 1, 1}));
    merged->bias.copy_(conv->bias.defined() ? conv->bias * scale + shift : shift);
    merged->to(conv->weight.device());
    fused->push_back(merged);
    ++i;  // the BatchNorm is folded in
  }
  layers_ = replace_module("layers", fused);
  eval();
}

DcganDiscriminator::DcganDiscriminator(const Config& config) : num_classes_(config.model.num_classes) {
  const DcganPlan plan = dcgan_plan(config.data.image_size);
  const std::int64_t base = config.model.base_channels;
  const bool spectral = config.model.spectral_norm;
  // A WGAN-GP critic must not mix images through BatchNorm: its penalty is per image.
  const std::string norm = config.train.loss == "wgan-gp" ? "none" : config.model.norm;
  layers_ = register_module("layers", torch::nn::Sequential());
  auto leaky = [] { return torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2).inplace(true)); };
  auto conv = [spectral](std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                         std::int64_t padding) {
    if (spectral) return torch::nn::AnyModule(SpectralConv2d(in, out, kernel, stride, padding, false));
    return torch::nn::AnyModule(
        torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false)));
  };
  auto down = [&conv](std::int64_t in, std::int64_t out) { return conv(in, out, 4, 2, 1); };

  // Mirror of G: image -> start_size, doubling the feature maps at each halving. No norm on the
  // first layer, as in the paper.
  std::int64_t channels = plan.channels_at(plan.num_upsamples - 1, base);
  layers_->push_back(down(config.data.channels, channels));
  layers_->push_back(leaky());
  for (int level = plan.num_upsamples - 2; level >= 0; --level) {
    const std::int64_t next = plan.channels_at(level, base);
    layers_->push_back(down(channels, next));
    layers_->push_back(norm_layer(norm, next));
    layers_->push_back(leaky());
    channels = next;
  }
  layers_->push_back(conv(channels, 1, plan.start_size, 1, 0));
  if (num_classes_ > 0) projection_ = register_module("projection", Projection(num_classes_, channels));
  dcgan_init(*this);
}

torch::Tensor DcganDiscriminator::forward(const torch::Tensor& images, const torch::Tensor& labels) {
  check_labels(labels, num_classes_, images.size(0));
  if (num_classes_ == 0) return layers_->forward(images).view({images.size(0)});
  // Run all but the last layer by hand to keep the features for the projection term.
  torch::Tensor features = images;
  const std::size_t last = layers_->size() - 1;
  for (std::size_t i = 0; i < last; ++i) features = layers_->begin()[i].forward(features);
  const torch::Tensor logits = layers_->begin()[last].forward(features).view({images.size(0)});
  return logits + projection_->forward(features.sum({2, 3}), labels);
}

void dcgan_init(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& child : module.modules(/*include_self=*/false)) {
    if (auto* conv = child->as<torch::nn::Conv2d>()) {
      conv->weight.normal_(0.0, 0.02);
    } else if (auto* tconv = child->as<TransposedConv2d>()) {
      tconv->weight.normal_(0.0, 0.02);
    } else if (auto* bn = child->as<torch::nn::BatchNorm2d>()) {
      bn->weight.normal_(1.0, 0.02);
      bn->bias.zero_();
    }
  }
}

}  // namespace synthgen::models
