#include "synthgen/models/gan.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"
#include "synthgen/families/registry.h"

namespace synthgen::models {
namespace {

const ModelFamily& gan_family(const Config& config) {
  const ModelFamily& family = find_model_family(config.model.family);
  if (family.kind != FamilyKind::kGan) {
    throw ConfigError(
        fmt::format("model.family {} is a {} family, not a GAN", family.name, family_kind_name(family.kind)));
  }
  return family;
}

}  // namespace

// Without a mapping network the latents' average is the prior's mean, 0, so the pull towards it
// scales z: the reduced temperature of Kingma & Dhariwal's Glow.
torch::Tensor Generator::forward_truncated(const torch::Tensor& z, const torch::Tensor& labels, double psi) {
  return forward(psi == 1.0 ? z : psi * z, labels);
}

std::shared_ptr<Generator> make_generator(const Config& config) {
  return gan_family(config).make_gan_generator(config);
}

std::shared_ptr<Discriminator> make_discriminator(const Config& config) {
  return gan_family(config).make_gan_discriminator(config);
}

}  // namespace synthgen::models
