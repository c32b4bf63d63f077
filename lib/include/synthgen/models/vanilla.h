// The vanilla GAN (Goodfellow et al. 2014) with fully connected networks, in the layout of
// PyTorch-GAN's gan.py: G maps z through hidden layers of hidden_dim/2, hidden_dim and
// 2*hidden_dim units (LeakyReLU 0.2, BatchNorm after the first unless model.norm is none) to
// tanh pixels; D maps flattened pixels through 2*hidden_dim and hidden_dim units (LeakyReLU 0.2)
// to one logit. Conditional models concatenate a label embedding to z and add D's projection term.
#pragma once

#include <torch/torch.h>

#include "synthgen/models/conditioning.h"
#include "synthgen/models/gan.h"

namespace synthgen::models {

class VanillaGenerator : public Generator {
 public:
  explicit VanillaGenerator(const Config& config);
  using Generator::forward;
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) override;
  std::int64_t latent_dim() const override { return latent_dim_; }
  std::int64_t num_classes() const override { return num_classes_; }

 private:
  std::int64_t latent_dim_;
  std::int64_t num_classes_;
  int channels_;
  int image_size_;
  torch::nn::Embedding label_embedding_{nullptr};
  torch::nn::Sequential layers_{nullptr};
};

class VanillaDiscriminator : public Discriminator {
 public:
  explicit VanillaDiscriminator(const Config& config);
  using Discriminator::forward;
  torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& labels) override;

 private:
  std::int64_t num_classes_;
  torch::nn::Sequential features_{nullptr};
  torch::nn::AnyModule output_;
  Projection projection_{nullptr};
};

}  // namespace synthgen::models
