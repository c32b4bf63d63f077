#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "synthgen/core/error.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/losses/gan_losses.h"
#include "synthgen/models/blocks.h"
#include "synthgen/models/dcgan.h"
#include "synthgen/models/gan.h"
#include "synthgen/train/gan_trainer.h"
#include "test_support.h"

using namespace synthgen;

namespace {

Config dcgan_config(int image_size, int channels, int base_channels) {
  Config config;
  config.model.latent_dim = 12;
  config.model.base_channels = base_channels;
  config.data.image_size = image_size;
  config.data.channels = channels;
  return config;
}

}  // namespace

TEST_CASE("transposed_conv2d computes what at::conv_transpose2d computes", "[models]") {
  torch::manual_seed(3);
  struct Case {
    std::int64_t batch, in, out, size, kernel, stride, padding;
  };
  const Case cases[] = {
      {3, 10, 6, 1, 4, 1, 0},                         // the generator's first layer: the matrix-product route
      {3, 10, 6, 1, 7, 1, 0}, {2, 6, 5, 4, 4, 2, 1},  // the usual upsampling layer: the convolution-gradient route
      {2, 5, 3, 7, 4, 2, 1},  {2, 4, 4, 5, 3, 1, 1},
  };
  for (const Case& c : cases) {
    INFO("in " << c.in << " out " << c.out << " size " << c.size << " kernel " << c.kernel);
    const torch::Tensor x = torch::randn({c.batch, c.in, c.size, c.size}, torch::requires_grad());
    const torch::Tensor w = torch::randn({c.in, c.out, c.kernel, c.kernel}, torch::requires_grad());
    const torch::Tensor expected = at::conv_transpose2d(x, w, {}, c.stride, c.padding);
    const torch::Tensor actual = models::transposed_conv2d(x, w, c.stride, c.padding);
    REQUIRE(actual.sizes() == expected.sizes());
    CHECK(torch::allclose(actual, expected, 1e-5, 1e-5));

    const torch::Tensor grad_out = torch::randn_like(expected);
    const auto expected_grads = torch::autograd::grad({expected}, {x, w}, {grad_out});
    const auto actual_grads = torch::autograd::grad({actual}, {x, w}, {grad_out});
    CHECK(torch::allclose(actual_grads[0], expected_grads[0], 1e-4, 1e-5));
    CHECK(torch::allclose(actual_grads[1], expected_grads[1], 1e-4, 1e-5));
  }
}

TEST_CASE("DCGAN networks have the right shapes at every supported size", "[models]") {
  torch::manual_seed(0);
  for (const int size : {8, 28, 32, 48, 64, 128}) {
    for (const int channels : {1, 3}) {
      INFO("size " << size << " channels " << channels);
      const Config config = dcgan_config(size, channels, size >= 64 ? 4 : 8);
      auto generator = models::make_generator(config);
      auto discriminator = models::make_discriminator(config);
      const torch::Tensor images = generator->forward(torch::randn({2, 12}));
      CHECK(images.sizes() == torch::IntArrayRef({2, channels, size, size}));
      CHECK(images.abs().max().item<float>() <= 1.0f);
      CHECK(discriminator->forward(images).sizes() == torch::IntArrayRef({2}));
    }
  }
}

TEST_CASE("DCGAN follows the paper's layout at 64x64", "[models]") {
  const models::DcganPlan plan = models::dcgan_plan(64);
  CHECK(plan.start_size == 4);
  CHECK(plan.num_upsamples == 4);
  CHECK(plan.channels_at(0, 64) == 512);
  CHECK(plan.channels_at(3, 64) == 64);
  const models::DcganPlan fashion = models::dcgan_plan(28);
  CHECK(fashion.start_size == 7);
  CHECK(fashion.num_upsamples == 2);
  // 3.58M parameters in G and 2.77M in D, as pytorch/examples' DCGAN with nz=100, ngf=ndf=64.
  Config config = dcgan_config(64, 3, 64);
  config.model.latent_dim = 100;
  auto count = [](torch::nn::Module& m) {
    std::int64_t n = 0;
    for (const auto& p : m.parameters()) n += p.numel();
    return n;
  };
  CHECK(count(*models::make_generator(config)) == 3576704);
  CHECK(count(*models::make_discriminator(config)) == 2765568);
}

TEST_CASE("DCGAN rejects image sizes it cannot build", "[models]") {
  for (const int size : {4, 30, 36, 200}) {
    INFO("size " << size);
    CHECK_THROWS_AS(models::dcgan_plan(size), ConfigError);
  }
  Config not_a_gan = dcgan_config(32, 1, 8);
  not_a_gan.model.family = "stylegan9";
  CHECK_THROWS_WITH(models::make_generator(not_a_gan), Catch::Contains("known: vanilla, dcgan"));
  not_a_gan.model.family = "ddpm";
  CHECK_THROWS_WITH(models::make_discriminator(not_a_gan), Catch::Contains("ddpm is a diffusion family, not a GAN"));
}

TEST_CASE("gradients reach every parameter of G and D", "[models]") {
  torch::manual_seed(1);
  const Config config = dcgan_config(32, 3, 8);
  auto generator = models::make_generator(config);
  auto discriminator = models::make_discriminator(config);
  discriminator->forward(generator->forward(torch::randn({4, 12}))).mean().backward();
  for (auto* module :
       {static_cast<torch::nn::Module*>(generator.get()), static_cast<torch::nn::Module*>(discriminator.get())}) {
    for (const auto& item : module->named_parameters()) {
      INFO(item.key());
      REQUIRE(item.value().grad().defined());
      CHECK(item.value().grad().abs().sum().item<double>() > 0.0);
    }
  }
}

TEST_CASE("D's loss goes down on a fixed batch", "[models]") {
  torch::manual_seed(2);
  const Config config = dcgan_config(16, 1, 8);
  auto generator = models::make_generator(config);
  auto discriminator = models::make_discriminator(config);
  const torch::Tensor real = torch::rand({16, 1, 16, 16}) * 2 - 1;
  const torch::Tensor fake = generator->forward(torch::randn({16, 12})).detach();
  torch::optim::Adam optimizer(discriminator->parameters(), torch::optim::AdamOptions(1e-3).betas({0.5, 0.999}));
  auto loss = [&] {
    return losses::discriminator_loss(losses::GanLoss::kNonSaturating, discriminator->forward(real),
                                      discriminator->forward(fake));
  };
  const double first = loss().item<double>();
  for (int i = 0; i < 20; ++i) {
    optimizer.zero_grad();
    torch::Tensor value = loss();
    value.backward();
    optimizer.step();
  }
  const double last = loss().item<double>();
  CHECK(last < 0.5 * first);
}

TEST_CASE("a saved generator loads back and gives bit-identical images", "[models][io]") {
  testing::TempDir dir;
  const Config config = dcgan_config(32, 3, 8);
  torch::manual_seed(4);
  train::GanTrainer trainer(config, torch::kCPU);
  // A few steps so that BatchNorm's running statistics are not at their initial values.
  for (int i = 0; i < 3; ++i) trainer.step({torch::rand({4, 3, 32, 32}) * 2 - 1, {}});
  const torch::Tensor z = torch::randn({5, 12});
  trainer.generator().eval();
  const torch::Tensor expected = trainer.generator().forward(z);

  const std::string path = (dir / "g.ckpt").string();
  io::CheckpointMeta meta;
  meta.family = "dcgan";
  io::save_checkpoint(path, meta, [&](auto& archive) { trainer.save(archive); });

  torch::manual_seed(99);  // different initial weights in the fresh copy
  io::LoadedCheckpoint loaded = io::load_checkpoint(path);
  auto generator = train::load_generator(config, loaded.archive, torch::kCPU).network;
  CHECK(torch::equal(generator->forward(z), expected));
}

TEST_CASE("folding BatchNorm for sampling keeps the generator's function", "[models]") {
  torch::manual_seed(5);
  const Config config = dcgan_config(32, 3, 8);
  train::GanTrainer trainer(config, torch::kCPU);
  for (int i = 0; i < 3; ++i) trainer.step({torch::rand({4, 3, 32, 32}) * 2 - 1, {}});
  auto& generator = trainer.generator();
  generator.eval();
  const torch::Tensor z = torch::randn({6, 12});
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = generator.forward(z);
  std::int64_t norms_before = 0;
  for (const auto& module : generator.modules()) norms_before += module->as<torch::nn::BatchNorm2d>() != nullptr;
  generator.fuse_for_inference();
  std::int64_t norms_after = 0;
  for (const auto& module : generator.modules()) norms_after += module->as<torch::nn::BatchNorm2d>() != nullptr;
  CHECK(norms_before == 3);  // 32 = 4 * 2^3: after the first layer and two upsamplings
  CHECK(norms_after == 0);
  CHECK(torch::allclose(generator.forward(z), expected, 1e-5, 1e-5));
}
