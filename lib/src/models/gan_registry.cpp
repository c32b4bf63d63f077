#include <fmt/format.h>
#include <fmt/ranges.h>

#include "synthgen/core/error.h"
#include "synthgen/models/dcgan.h"
#include "synthgen/models/gan.h"
#include "synthgen/models/progan.h"
#include "synthgen/models/vanilla.h"

namespace synthgen::models {

const std::vector<GanFamily>& gan_families() {
  static const std::vector<GanFamily> families = {
      {"dcgan",
       [](const Config& c) -> std::shared_ptr<Generator> { return std::make_shared<DcganGenerator>(c); },
       [](const Config& c) -> std::shared_ptr<Discriminator> {
         return std::make_shared<DcganDiscriminator>(c);
       }},
      {"vanilla",
       [](const Config& c) -> std::shared_ptr<Generator> { return std::make_shared<VanillaGenerator>(c); },
       [](const Config& c) -> std::shared_ptr<Discriminator> {
         return std::make_shared<VanillaDiscriminator>(c);
       }},
      {"progan",
       [](const Config& c) -> std::shared_ptr<Generator> { return std::make_shared<ProganGenerator>(c); },
       [](const Config& c) -> std::shared_ptr<Discriminator> {
         return std::make_shared<ProganDiscriminator>(c);
       }},
  };
  return families;
}

// Without a mapping network the latents' average is the prior's mean, 0, so the pull towards it
// scales z: the reduced temperature of Kingma & Dhariwal's Glow.
torch::Tensor Generator::forward_truncated(const torch::Tensor& z, const torch::Tensor& labels, double psi) {
  return forward(psi == 1.0 ? z : psi * z, labels);
}

const GanFamily& find_gan_family(const std::string& name) {
  std::vector<std::string> names;
  for (const GanFamily& family : gan_families()) {
    if (family.name == name) return family;
    names.push_back(family.name);
  }
  throw ConfigError(fmt::format("model.family: unknown GAN family '{}'; known: {}", name,
                                fmt::join(names, ", ")));
}

std::shared_ptr<Generator> make_generator(const Config& config) {
  return find_gan_family(config.model.family).make_generator(config);
}

std::shared_ptr<Discriminator> make_discriminator(const Config& config) {
  return find_gan_family(config.model.family).make_discriminator(config);
}

}  // namespace synthgen::models
