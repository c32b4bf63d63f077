#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "synthgen/core/error.h"
#include "synthgen/models/dcgan.h"
#include "synthgen/models/gan.h"
#include "synthgen/models/spectral_norm.h"
#include "synthgen/models/vanilla.h"

using namespace synthgen;
using Catch::Contains;

namespace {

Config small_config(const std::string& family) {
  Config config;
  config.model.family = family;
  config.model.latent_dim = 8;
  config.model.base_channels = 4;
  config.vanilla.hidden_dim = 16;
  config.data.image_size = 16;
  config.data.channels = 1;
  return config;
}

std::int64_t count_batchnorm(torch::nn::Module& module) {
  std::int64_t count = 0;
  for (auto& child : module.modules(false)) count += child->as<torch::nn::BatchNorm2d>() != nullptr;
  return count;
}

}  // namespace

TEST_CASE("spectral normalisation brings the largest singular value to 1", "[gan_models]") {
  torch::manual_seed(0);
  models::SpectralLinear linear(12, 7);
  {
    torch::NoGradGuard no_grad;
    linear->linear->weight.mul_(5.0);
  }
  linear->train();
  const torch::Tensor x = torch::randn({3, 12});
  for (int i = 0; i < 60; ++i) linear->forward(x);
  // The layer's effective weight: its output without bias, on the identity.
  const torch::Tensor effective = (linear->forward(torch::eye(12)) - linear->linear->bias).t();
  CHECK(models::largest_singular_value(effective) == Approx(1.0).epsilon(1e-3));

  models::SpectralConv2d conv(3, 5, 3, 1, 1, false);
  conv->train();
  for (int i = 0; i < 60; ++i) conv->forward(torch::randn({1, 3, 6, 6}));
  // Gradients reach the raw weight through the normalisation.
  conv->forward(torch::randn({2, 3, 6, 6})).sum().backward();
  CHECK(conv->conv->weight.grad().defined());
  CHECK(conv->conv->weight.grad().abs().sum().item<double>() > 0.0);
}

TEST_CASE("the vanilla GAN maps z to images and images to one logit, with gradients everywhere", "[gan_models]") {
  torch::manual_seed(1);
  for (const bool spectral : {false, true}) {
    Config config = small_config("vanilla");
    config.model.spectral_norm = spectral;
    models::VanillaGenerator generator(config);
    models::VanillaDiscriminator discriminator(config);
    const torch::Tensor images = generator.forward(torch::randn({4, 8}));
    CHECK(images.sizes() == torch::IntArrayRef({4, 1, 16, 16}));
    CHECK(images.abs().max().item<float>() <= 1.0f);
    discriminator.forward(images).sum().backward();
    for (auto& p : generator.parameters()) CHECK(p.grad().defined());
    for (auto& p : discriminator.parameters()) CHECK(p.grad().defined());
  }
}

TEST_CASE("class-conditional generators and projection discriminators use their labels", "[gan_models]") {
  torch::manual_seed(2);
  for (const char* family : {"vanilla", "dcgan"}) {
    INFO(family);
    Config config = small_config(family);
    config.model.num_classes = 3;
    const auto generator = models::make_generator(config);
    const auto discriminator = models::make_discriminator(config);
    generator->eval();
    discriminator->eval();
    CHECK(generator->num_classes() == 3);
    const torch::Tensor z = torch::randn({2, 8});
    CHECK_THROWS_WITH(generator->forward(z), Contains("class-conditional") && Contains("give labels"));
    CHECK_THROWS_WITH(generator->forward(z, torch::tensor({0, 3})), Contains("expected classes 0..2"));
    const torch::Tensor zero = generator->forward(z, torch::tensor({0, 0}));
    const torch::Tensor two = generator->forward(z, torch::tensor({2, 2}));
    CHECK(zero.sizes() == torch::IntArrayRef({2, 1, 16, 16}));
    CHECK_FALSE(torch::allclose(zero, two));
    const torch::Tensor logits_zero = discriminator->forward(zero, torch::tensor({0, 0}));
    const torch::Tensor logits_two = discriminator->forward(zero, torch::tensor({2, 2}));
    CHECK(logits_zero.sizes() == torch::IntArrayRef({2}));
    CHECK_FALSE(torch::allclose(logits_zero, logits_two));
    CHECK_THROWS_WITH(discriminator->forward(zero), Contains("give labels"));
  }
}

TEST_CASE("a WGAN-GP critic has no BatchNorm and spectral norm replaces D's convolutions", "[gan_models]") {
  Config config = small_config("dcgan");
  models::DcganDiscriminator with_norm(config);
  CHECK(count_batchnorm(with_norm) > 0);
  config.train.loss = "wgan-gp";
  models::DcganDiscriminator critic(config);
  CHECK(count_batchnorm(critic) == 0);

  config.train.loss = "hinge";
  config.model.spectral_norm = true;
  models::DcganDiscriminator spectral(config);
  std::int64_t spectral_layers = 0;
  for (auto& child : spectral.modules(false)) spectral_layers += child->as<models::SpectralConv2d>() != nullptr;
  CHECK(spectral_layers == 3);  // 16 -> 8 -> 4, then the 4x4 logit
  CHECK(spectral.forward(torch::randn({2, 1, 16, 16})).sizes() == torch::IntArrayRef({2}));
}

TEST_CASE("a generator without a mapping network truncates by scaling z towards 0", "[gan_models]") {
  torch::manual_seed(2);
  Config config = small_config("dcgan");
  config.model.num_classes = 3;
  models::DcganGenerator generator(config);
  generator.eval();
  const torch::Tensor z = torch::randn({4, config.model.latent_dim});
  const torch::Tensor labels = torch::tensor({0, 1, 2, 0}, torch::kLong);
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(generator.forward_truncated(z, labels, 1.0), generator.forward(z, labels)));
  CHECK(torch::allclose(generator.forward_truncated(z, labels, 0.5), generator.forward(0.5 * z, labels)));
  CHECK(torch::allclose(generator.forward_truncated(z, labels, 0.0), generator.forward(torch::zeros_like(z), labels)));
  CHECK_FALSE(torch::allclose(generator.forward_truncated(z, labels, 0.5), generator.forward(z, labels)));
}
