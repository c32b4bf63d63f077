// The interface every GAN family implements, and the registry that builds them by name.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "synthgen/config/config.h"

namespace synthgen::models {

// Maps latent vectors z [B, latent_dim] to images [B, C, H, W] in [-1, 1].
class Generator : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& z) = 0;
  virtual std::int64_t latent_dim() const = 0;
  // Rewrites the network into an equivalent, faster one for sampling in eval mode (for example
  // BatchNorm folded into the convolution before it). It cannot be trained afterwards.
  virtual void fuse_for_inference() {}
};

// Maps images [B, C, H, W] in [-1, 1] to one logit per image [B].
class Discriminator : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& images) = 0;
};

struct GanFamily {
  std::string name;
  std::function<std::shared_ptr<Generator>(const Config&)> make_generator;
  std::function<std::shared_ptr<Discriminator>(const Config&)> make_discriminator;
};

// Every GAN family, in one explicit list (static self-registration is dropped by the linker when
// the library is static).
const std::vector<GanFamily>& gan_families();

// The family named config.model.family. Throws ConfigError listing the known names.
const GanFamily& find_gan_family(const std::string& name);

// The networks of config.model.family, initialised from the current default RNG.
std::shared_ptr<Generator> make_generator(const Config& config);
std::shared_ptr<Discriminator> make_discriminator(const Config& config);

}  // namespace synthgen::models
