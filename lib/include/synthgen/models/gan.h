// The interface every GAN family implements, and the factories of its networks.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "synthgen/config/config.h"

namespace synthgen::models {

// Maps latent vectors z [B, latent_dim] (and, for class-conditional models, int64 labels [B]) to
// images [B, C, H, W] in [-1, 1] (ProGAN's linear output only roughly; samples are clamped).
// Unconditional models take an undefined labels tensor.
class Generator : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) = 0;
  torch::Tensor forward(const torch::Tensor& z) { return forward(z, torch::Tensor()); }
  virtual std::int64_t latent_dim() const = 0;
  // Classes of a class-conditional model (model.num_classes); 0 when unconditional.
  virtual std::int64_t num_classes() const { return 0; }
  // The truncation trick for sampling (psi = 1 is forward): latents pulled towards their average.
  // The default, for generators without a mapping network, samples psi * z.
  virtual torch::Tensor forward_truncated(const torch::Tensor& z, const torch::Tensor& labels, double psi);
  // Rewrites the network into an equivalent, faster one for sampling in eval mode (for example
  // BatchNorm folded into the convolution before it). It cannot be trained afterwards.
  virtual void fuse_for_inference() {}
};

// Maps images [B, C, H, W] in [-1, 1] (and labels [B] when class-conditional) to one logit per
// image [B].
class Discriminator : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& labels) = 0;
  torch::Tensor forward(const torch::Tensor& images) { return forward(images, torch::Tensor()); }
};

// The state of a growing family (ProGAN): the active resolution 4 * 2^level and the fade-in
// weight alpha of its newest block (0 = only the previous resolution, 1 = only the new block).
struct Growth {
  int level = 0;
  double alpha = 1.0;
};

// Implemented by the networks of families that grow; the trainer sets it before every step.
class Growable {
 public:
  virtual ~Growable() = default;
  virtual void set_growth(const Growth& growth) = 0;
  virtual Growth growth() const = 0;
  // The level of the target resolution (config data.image_size).
  virtual int max_level() const = 0;
};

// The networks of config.model.family (a GAN family of the registry in families/registry.h),
// initialised from the current default RNG. Throws ConfigError for an unknown or non-GAN family.
std::shared_ptr<Generator> make_generator(const Config& config);
std::shared_ptr<Discriminator> make_discriminator(const Config& config);

}  // namespace synthgen::models
