// DCGAN (Radford et al. 2016): transposed-convolution generator and strided-convolution
// discriminator, BatchNorm, ReLU in G and LeakyReLU(0.2) in D, N(0, 0.02) initialisation.
// Options: spectral normalisation of D's convolutions (model.spectral_norm); class conditioning
// (model.num_classes: a label embedding concatenated to z, and a projection discriminator). With
// train.loss wgan-gp, D (the critic) has no BatchNorm: the gradient penalty is per image.
// Any image size s = s0 * 2^n with s0 in 4..7 and n >= 1 (28, 32, 48, 64, 128, ...) and any
// channel count.
#pragma once

#include <torch/torch.h>

#include "synthgen/models/blocks.h"
#include "synthgen/models/conditioning.h"
#include "synthgen/models/gan.h"

namespace synthgen::models {

// The resolution plan for an image size: G starts at start_size and doubles num_upsamples times.
struct DcganPlan {
  int start_size = 4;
  int num_upsamples = 4;
  // Feature maps at resolution start_size * 2^level (level 0 = start): base * 2^(n-1-level),
  // so the highest resolution before the image has `base_channels` (DCGAN's ngf).
  std::int64_t channels_at(int level, std::int64_t base_channels) const;
};

// Throws ConfigError when the size has no plan.
DcganPlan dcgan_plan(int image_size);

class DcganGenerator : public Generator {
 public:
  explicit DcganGenerator(const Config& config);
  using Generator::forward;
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) override;
  std::int64_t latent_dim() const override { return latent_dim_; }
  std::int64_t num_classes() const override { return num_classes_; }
  // Folds each BatchNorm's running statistics and affine parameters into the weights and bias of
  // the transposed convolution before it: one pass over the activations less per layer.
  void fuse_for_inference() override;

 private:
  std::int64_t latent_dim_;
  std::int64_t num_classes_;
  torch::nn::Embedding label_embedding_{nullptr};  // concatenated to z when conditional
  torch::nn::Sequential layers_;
};

class DcganDiscriminator : public Discriminator {
 public:
  explicit DcganDiscriminator(const Config& config);
  using Discriminator::forward;
  torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& labels) override;

 private:
  std::int64_t num_classes_;
  torch::nn::Sequential layers_;    // image -> features at start_size; the last layer gives the logit
  Projection projection_{nullptr};  // conditional: <embed(y), spatially summed features>
};

// DCGAN's initialisation: convolutions N(0, 0.02), BatchNorm scale N(1, 0.02) and shift 0.
void dcgan_init(torch::nn::Module& module);

}  // namespace synthgen::models
