#include "synthgen/models/vanilla.h"

#include "synthgen/models/spectral_norm.h"

namespace synthgen::models {
namespace {

torch::nn::LeakyReLU leaky() { return torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)); }

torch::nn::AnyModule linear(std::int64_t in, std::int64_t out, bool spectral) {
  if (spectral) return torch::nn::AnyModule(SpectralLinear(in, out));
  return torch::nn::AnyModule(torch::nn::Linear(in, out));
}

}  // namespace

VanillaGenerator::VanillaGenerator(const Config& config)
    : latent_dim_(config.model.latent_dim),
      num_classes_(config.model.num_classes),
      channels_(config.data.channels),
      image_size_(config.data.image_size) {
  const std::int64_t hidden = config.vanilla.hidden_dim;
  const bool batch_norm = config.model.norm == "batch";
  std::int64_t in = latent_dim_;
  if (num_classes_ > 0) {
    label_embedding_ = register_module("label_embedding", torch::nn::Embedding(num_classes_, kLabelEmbeddingDim));
    in += kLabelEmbeddingDim;
  }
  layers_ = register_module("layers", torch::nn::Sequential());
  const std::int64_t widths[] = {std::max<std::int64_t>(1, hidden / 2), hidden, 2 * hidden};
  for (int i = 0; i < 3; ++i) {
    layers_->push_back(torch::nn::Linear(in, widths[i]));
    // No normalisation on the first layer, as in PyTorch-GAN's gan.py.
    if (batch_norm && i > 0) layers_->push_back(torch::nn::BatchNorm1d(widths[i]));
    layers_->push_back(leaky());
    in = widths[i];
  }
  layers_->push_back(torch::nn::Linear(in, static_cast<std::int64_t>(channels_) * image_size_ * image_size_));
  layers_->push_back(torch::nn::Tanh());
}

torch::Tensor VanillaGenerator::forward(const torch::Tensor& z, const torch::Tensor& labels) {
  check_labels(labels, num_classes_, z.size(0));
  const torch::Tensor input = num_classes_ > 0 ? torch::cat({z, label_embedding_->forward(labels)}, 1) : z;
  return layers_->forward(input).view({z.size(0), channels_, image_size_, image_size_});
}

VanillaDiscriminator::VanillaDiscriminator(const Config& config) : num_classes_(config.model.num_classes) {
  const std::int64_t hidden = config.vanilla.hidden_dim;
  const bool spectral = config.model.spectral_norm;
  const std::int64_t pixels =
      static_cast<std::int64_t>(config.data.channels) * config.data.image_size * config.data.image_size;
  features_ = register_module("features", torch::nn::Sequential());
  features_->push_back(torch::nn::Flatten());
  features_->push_back(linear(pixels, 2 * hidden, spectral));
  features_->push_back(leaky());
  features_->push_back(linear(2 * hidden, hidden, spectral));
  features_->push_back(leaky());
  output_ = linear(hidden, 1, spectral);
  register_module("output", output_.ptr());
  if (num_classes_ > 0) projection_ = register_module("projection", Projection(num_classes_, hidden));
}

torch::Tensor VanillaDiscriminator::forward(const torch::Tensor& images, const torch::Tensor& labels) {
  check_labels(labels, num_classes_, images.size(0));
  const torch::Tensor features = features_->forward(images);
  torch::Tensor logits = output_.forward(features).view({images.size(0)});
  if (num_classes_ > 0) logits = logits + projection_->forward(features, labels);
  return logits;
}

}  // namespace synthgen::models
