#include <torch/torch.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <string>

#include "synthgen/core/error.h"
#include "synthgen/models/progan.h"
#include "synthgen/models/progan_layers.h"
#include "synthgen/models/progan_schedule.h"

using namespace synthgen;
using namespace synthgen::models;

namespace {

// A tiny ProGAN: 16 latent dims, 8 feature maps at full resolution, at most 16.
Config progan_config(int image_size = 16, int channels = 3) {
  Config config;
  config.model.family = "progan";
  config.model.latent_dim = 16;
  config.model.base_channels = 8;
  config.progan.max_channels = 16;
  config.data.image_size = image_size;
  config.data.channels = channels;
  return config;
}

Config style_config() {
  Config config = progan_config();
  config.progan.mapping_layers = 2;
  config.progan.style_modulation = true;
  config.progan.noise_inputs = true;
  return config;
}

// Overwrites a parameter with fresh random values.
void perturb(torch::nn::Module& module, const std::string& name) {
  torch::NoGradGuard no_grad;
  auto parameters = module.named_parameters();
  parameters[name].normal_();
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// Every parameter except the fromRGB/toRGB layers of the levels below the top one.
bool active_at_top(const std::string& name, const std::string& rgb_prefix, int max_level) {
  for (int level = 0; level < max_level; ++level) {
    if (starts_with(name, rgb_prefix + std::to_string(level) + ".")) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("Equalized layers scale N(0, 1) weights by gain over the square root of the fan-in", "[progan]") {
  torch::manual_seed(0);
  EqualizedConv2d conv(EqualizedConv2dOptions(6, 64, 3));
  CHECK(conv->scale() == Approx(std::sqrt(2.0 / (6 * 3 * 3))));
  CHECK(conv->weight.std().item<double>() == Approx(1.0).margin(0.05));
  CHECK(conv->bias.abs().max().item<double>() == 0.0);
  const torch::Tensor x = torch::randn({2, 6, 5, 5});
  const torch::Tensor expected = torch::conv2d(x, conv->weight * conv->scale(), conv->bias, 1, 1);
  CHECK(torch::allclose(conv->forward(x), expected));
  CHECK(conv->forward(x).sizes() == torch::IntArrayRef({2, 64, 5, 5}));

  EqualizedConv2d to_rgb(EqualizedConv2dOptions(8, 3, 1).gain(1.0));
  CHECK(to_rgb->scale() == Approx(1.0 / std::sqrt(8.0)));

  EqualizedLinear linear(EqualizedLinearOptions(16, 4));
  CHECK(linear->scale() == Approx(std::sqrt(2.0 / 16)));
  const torch::Tensor v = torch::randn({3, 16});
  CHECK(torch::allclose(linear->forward(v), torch::linear(v, linear->weight * linear->scale(), linear->bias)));

  // A learning-rate multiplier stores the weights larger and scales them back at run time.
  EqualizedLinear slow(EqualizedLinearOptions(400, 400).lr_multiplier(0.01));
  CHECK(slow->scale() == Approx(std::sqrt(2.0 / 400) * 0.01));
  CHECK(slow->weight.std().item<double>() == Approx(100.0).epsilon(0.02));
}

TEST_CASE("Pixel norm gives every pixel a unit mean square over its channels", "[progan]") {
  torch::manual_seed(1);
  PixelNorm norm;
  const torch::Tensor x = 5.0 * torch::randn({2, 8, 4, 4}) + 1.0;
  const torch::Tensor mean_square = norm->forward(x).square().mean(1);
  CHECK(torch::allclose(mean_square, torch::ones_like(mean_square), 1e-5, 1e-5));
  const torch::Tensor rows = norm->forward(torch::randn({3, 16})).square().mean(1);
  CHECK(torch::allclose(rows, torch::ones_like(rows), 1e-5, 1e-5));
}

TEST_CASE("Minibatch stddev appends one channel holding the group's mean standard deviation", "[progan]") {
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({4, 6, 3, 3});

  SECTION("group = batch: the batch's mean std") {
    MinibatchStddev stddev(4);
    const torch::Tensor y = stddev->forward(x);
    REQUIRE(y.sizes() == torch::IntArrayRef({4, 7, 3, 3}));
    CHECK(torch::equal(y.slice(1, 0, 6), x));
    const double expected = x.std(0, /*unbiased=*/false).mean().item<double>();
    CHECK(torch::allclose(y.select(1, 6), torch::full({4, 3, 3}, expected), 1e-5, 1e-6));
  }
  SECTION("groups of 2: images 0, 2 and images 1, 3") {
    MinibatchStddev stddev(2);
    const torch::Tensor y = stddev->forward(x);
    const torch::Tensor even = x.index_select(0, torch::tensor({0, 2}));
    const torch::Tensor odd = x.index_select(0, torch::tensor({1, 3}));
    const double even_std = even.std(0, false).mean().item<double>();
    const double odd_std = odd.std(0, false).mean().item<double>();
    CHECK(y[0][6][1][2].item<double>() == Approx(even_std));
    CHECK(y[2][6][0][0].item<double>() == Approx(even_std));
    CHECK(y[1][6][2][1].item<double>() == Approx(odd_std));
    CHECK(y[3][6][0][0].item<double>() == Approx(odd_std));
  }
  SECTION("a batch smaller than the group size uses the whole batch") {
    MinibatchStddev stddev(4);
    const torch::Tensor pair = x.slice(0, 0, 2);
    const double expected = pair.std(0, false).mean().item<double>();
    CHECK(stddev->forward(pair)[1][6][0][0].item<double>() == Approx(expected));
  }
}

TEST_CASE("ProGAN sizes and channels follow the documented plan", "[progan]") {
  CHECK(progan_max_level(8) == 1);
  CHECK(progan_max_level(32) == 3);
  CHECK(progan_max_level(256) == 6);
  for (const int size : {4, 6, 28, 48, 100}) {
    INFO("image_size " << size);
    CHECK_THROWS_AS(progan_max_level(size), ConfigError);
  }
  CHECK_THROWS_WITH(progan_max_level(48), Catch::Contains("data.image_size 48") && Catch::Contains("8, 16, 32, 64"));

  const Config config = progan_config(32);
  CHECK(progan_channels(3, 3, config) == 8);
  CHECK(progan_channels(2, 3, config) == 16);
  CHECK(progan_channels(0, 3, config) == 16);
  Config wide = config;
  wide.model.base_channels = 4;
  wide.progan.max_channels = 64;
  CHECK(progan_channels(0, 3, wide) == 32);
  CHECK(progan_channels(1, 3, wide) == 16);
}

TEST_CASE("ProGAN networks have the right shapes at every level and fade", "[progan]") {
  torch::manual_seed(3);
  const Config config = progan_config(32, 3);
  ProganGenerator generator(config);
  ProganDiscriminator discriminator(config);
  CHECK(generator.max_level() == 3);
  CHECK(generator.growth().level == 3);
  CHECK(generator.growth().alpha == 1.0);
  const torch::Tensor z = torch::randn({2, 16});
  for (int level = 0; level <= 3; ++level) {
    for (const double alpha : {0.0, 0.5, 1.0}) {
      INFO("level " << level << " alpha " << alpha);
      generator.set_growth({level, alpha});
      discriminator.set_growth({level, alpha});
      const std::int64_t size = 4 << level;
      const torch::Tensor images = generator.forward(z);
      CHECK(images.sizes() == torch::IntArrayRef({2, 3, size, size}));
      CHECK(discriminator.forward(images).sizes() == torch::IntArrayRef({2}));
    }
  }
  discriminator.set_growth({2, 1.0});
  CHECK_THROWS_WITH(discriminator.forward(torch::randn({2, 3, 32, 32})),
                    Catch::Contains("expected images [B, 3, 16, 16] at growth level 2"));
  CHECK_THROWS_AS(generator.set_growth({4, 1.0}), UsageError);
  CHECK_THROWS_AS(generator.set_growth({1, 1.5}), UsageError);
}

TEST_CASE("ProGAN generator fade-in blends the old and new outputs by alpha", "[progan]") {
  torch::manual_seed(4);
  ProganGenerator generator(progan_config(16));
  const torch::Tensor z = torch::randn({3, 16});
  generator.set_growth({1, 1.0});
  const torch::Tensor old_path = torch::upsample_nearest2d(generator.forward(z), {16, 16});
  generator.set_growth({2, 1.0});
  const torch::Tensor new_path = generator.forward(z);

  generator.set_growth({2, 0.0});
  CHECK(torch::allclose(generator.forward(z), old_path, 1e-5, 1e-6));
  generator.set_growth({2, 0.25});
  CHECK(torch::allclose(generator.forward(z), 0.25 * new_path + 0.75 * old_path, 1e-5, 1e-6));

  // Alpha 1 no longer uses the previous level's toRGB; alpha 0 does not use the new one.
  perturb(generator, "to_rgb.1.weight");
  generator.set_growth({2, 1.0});
  CHECK(torch::equal(generator.forward(z), new_path));
  perturb(generator, "to_rgb.2.weight");
  perturb(generator, "blocks.2.conv1.weight");
  generator.set_growth({1, 1.0});
  const torch::Tensor old_again = torch::upsample_nearest2d(generator.forward(z), {16, 16});
  generator.set_growth({2, 0.0});
  CHECK(torch::allclose(generator.forward(z), old_again, 1e-5, 1e-6));
}

TEST_CASE("ProGAN discriminator fade-in blends the old and new input paths by alpha", "[progan]") {
  torch::manual_seed(5);
  ProganDiscriminator discriminator(progan_config(16));
  const torch::Tensor x = torch::randn({4, 3, 16, 16});
  discriminator.set_growth({1, 1.0});
  const torch::Tensor old_path = discriminator.forward(torch::avg_pool2d(x, 2));
  discriminator.set_growth({2, 1.0});
  const torch::Tensor new_path = discriminator.forward(x);
  discriminator.set_growth({2, 0.0});
  CHECK(torch::allclose(discriminator.forward(x), old_path, 1e-5, 1e-6));
  discriminator.set_growth({2, 0.5});
  const torch::Tensor half = discriminator.forward(x);
  CHECK_FALSE(torch::allclose(half, old_path));
  CHECK_FALSE(torch::allclose(half, new_path));

  perturb(discriminator, "from_rgb.1.weight");
  discriminator.set_growth({2, 1.0});
  CHECK(torch::equal(discriminator.forward(x), new_path));
  perturb(discriminator, "from_rgb.2.weight");
  perturb(discriminator, "blocks.1.conv0.weight");
  discriminator.set_growth({1, 1.0});
  const torch::Tensor old_again = discriminator.forward(torch::avg_pool2d(x, 2));
  discriminator.set_growth({2, 0.0});
  CHECK(torch::allclose(discriminator.forward(x), old_again, 1e-5, 1e-6));
}

TEST_CASE("ProGAN real images are pooled to the active resolution and faded like fakes", "[progan]") {
  torch::manual_seed(6);
  const torch::Tensor x = torch::randn({2, 3, 16, 16});
  CHECK(torch::equal(progan_real_images(x, {2, 1.0}), x));
  CHECK(torch::allclose(progan_real_images(x, {1, 1.0}), torch::avg_pool2d(x, 2)));
  CHECK(torch::allclose(progan_real_images(x, {0, 0.3}), torch::avg_pool2d(x, 4)));
  const torch::Tensor blurred = torch::upsample_nearest2d(torch::avg_pool2d(x, 2), {16, 16});
  CHECK(torch::allclose(progan_real_images(x, {2, 0.0}), blurred));
  CHECK(torch::allclose(progan_real_images(x, {2, 0.25}), 0.25 * x + 0.75 * blurred));
  CHECK_THROWS_AS(progan_real_images(torch::randn({2, 3, 12, 12}), {2, 1.0}), RuntimeError);
}

TEST_CASE("ProGAN gradients reach every parameter active at the top level", "[progan]") {
  for (const bool style : {false, true}) {
    INFO("style options " << style);
    torch::manual_seed(7);
    Config config = style ? style_config() : progan_config();
    config.model.num_classes = 3;
    ProganGenerator generator(config);
    ProganDiscriminator discriminator(config);
    const torch::Tensor labels = torch::tensor({0, 1, 2, 1});
    const torch::Tensor images = generator.forward(torch::randn({4, 16}), labels);
    discriminator.forward(images, labels).sum().backward();
    for (const auto& item : generator.named_parameters()) {
      INFO("G " << item.key());
      const bool active = active_at_top(item.key(), "to_rgb.", generator.max_level());
      CHECK(item.value().grad().defined() == active);
      if (active) CHECK(item.value().grad().abs().sum().item<double>() > 0.0);
    }
    for (const auto& item : discriminator.named_parameters()) {
      INFO("D " << item.key());
      const bool active = active_at_top(item.key(), "from_rgb.", discriminator.max_level());
      CHECK(item.value().grad().defined() == active);
      if (active) CHECK(item.value().grad().abs().sum().item<double>() > 0.0);
    }
  }
}

TEST_CASE("StyleGAN options build a mapping network, styles and noise inputs", "[progan]") {
  torch::manual_seed(8);
  ProganGenerator generator(style_config());
  const auto parameters = generator.named_parameters();
  CHECK(parameters.contains("mapping.layers.1.weight"));
  CHECK(parameters.contains("mapping.layers.3.weight"));
  CHECK(parameters.contains("blocks.0.constant"));
  CHECK_FALSE(parameters.contains("blocks.0.dense.weight"));
  CHECK(parameters.contains("blocks.2.style1.affine.weight"));
  CHECK(parameters.contains("blocks.2.noise0.weight"));
  CHECK(generator.named_buffers().contains("w_avg"));
  generator.eval();
  const torch::Tensor z = torch::randn({2, 16});

  // Zero-initialised noise weights: the drawn noise does not matter.
  torch::manual_seed(100);
  const torch::Tensor first = generator.forward(z);
  CHECK(first.sizes() == torch::IntArrayRef({2, 3, 16, 16}));
  torch::manual_seed(200);
  CHECK(torch::equal(generator.forward(z), first));

  {
    torch::NoGradGuard no_grad;
    for (auto& item : generator.named_parameters()) {
      if (item.key().find("noise") != std::string::npos) item.value().fill_(0.5);
    }
  }
  torch::manual_seed(100);
  const torch::Tensor noisy = generator.forward(z);
  CHECK_FALSE(torch::allclose(noisy, first));
  torch::manual_seed(100);
  CHECK(torch::equal(generator.forward(z), noisy));  // eval mode draws noise from the default RNG
  torch::manual_seed(200);
  CHECK_FALSE(torch::allclose(generator.forward(z), noisy));
}

TEST_CASE("Truncation with psi 1 equals forward and psi 0 collapses every latent to one image", "[progan]") {
  torch::manual_seed(9);
  Config config = style_config();
  config.progan.noise_inputs = false;
  ProganGenerator generator(config);
  const torch::Tensor z = torch::randn({3, 16});

  // Training forwards move w_avg (EMA of w); eval forwards do not.
  const torch::Tensor w_avg = generator.named_buffers()["w_avg"];  // shares the buffer's storage
  CHECK(w_avg.abs().sum().item<double>() == 0.0);
  generator.forward(z);
  const torch::Tensor tracked = w_avg.clone();
  CHECK(tracked.abs().sum().item<double>() > 0.0);
  generator.eval();
  generator.forward(z);
  CHECK(torch::equal(w_avg, tracked));

  CHECK(torch::equal(generator.forward_truncated(z, {}, 1.0), generator.forward(z)));
  const torch::Tensor collapsed = generator.forward_truncated(z, {}, 0.0);
  CHECK(torch::allclose(collapsed[0], collapsed[1], 1e-5, 1e-6));
  CHECK(torch::allclose(collapsed[0], collapsed[2], 1e-5, 1e-6));
  CHECK_FALSE(torch::allclose(generator.forward(z)[0], generator.forward(z)[1]));

  SECTION("without a mapping network the normalised latent shrinks towards 0") {
    ProganGenerator plain(progan_config());
    plain.eval();
    CHECK(torch::equal(plain.forward_truncated(z, {}, 1.0), plain.forward(z)));
    const torch::Tensor same = plain.forward_truncated(z, {}, 0.0);
    CHECK(torch::allclose(same[0], same[1], 1e-5, 1e-6));
  }
}

TEST_CASE("Class-conditional ProGAN needs labels and they change the outputs", "[progan]") {
  torch::manual_seed(10);
  Config config = progan_config();
  config.model.num_classes = 5;
  ProganGenerator generator(config);
  ProganDiscriminator discriminator(config);
  CHECK(generator.num_classes() == 5);
  generator.eval();
  const torch::Tensor z = torch::randn({2, 16});
  CHECK_THROWS_WITH(generator.forward(z), "this model is class-conditional (model.num_classes 5); give labels");
  CHECK_THROWS_AS(generator.forward(z, torch::tensor({0, 5})), RuntimeError);
  CHECK_THROWS_AS(generator.forward(z, torch::tensor({0})), RuntimeError);

  const torch::Tensor a = generator.forward(z, torch::tensor({0, 1}));
  const torch::Tensor b = generator.forward(z, torch::tensor({3, 4}));
  CHECK_FALSE(torch::allclose(a, b));

  const torch::Tensor images = torch::randn({2, 3, 16, 16});
  CHECK_THROWS_WITH(discriminator.forward(images),
                    "this model is class-conditional (model.num_classes 5); give labels");
  const torch::Tensor logits_a = discriminator.forward(images, torch::tensor({0, 1}));
  const torch::Tensor logits_b = discriminator.forward(images, torch::tensor({3, 4}));
  CHECK_FALSE(torch::allclose(logits_a, logits_b));
}

TEST_CASE("ProGAN schedule gives exact levels and alphas at chosen image counts", "[progan]") {
  // Level 0 stable for 50; then each level fades over 100 and is stable for 50.
  const auto at = [](std::int64_t images) { return progan_growth(images, 100, 50, 3); };
  const auto check = [&](std::int64_t images, int level, double alpha) {
    INFO("images " << images);
    const Growth growth = at(images);
    CHECK(growth.level == level);
    CHECK(growth.alpha == Approx(alpha).margin(1e-12));
  };
  check(0, 0, 1.0);
  check(49, 0, 1.0);
  check(50, 1, 0.0);   // level 1 starts fading in
  check(100, 1, 0.5);  // mid-fade
  check(149, 1, 0.99);
  check(150, 1, 1.0);  // end of the fade
  check(199, 1, 1.0);  // stable
  check(200, 2, 0.0);
  check(275, 2, 0.75);
  check(350, 3, 0.0);
  check(425, 3, 0.75);
  check(450, 3, 1.0);  // full: the last level has faded in
  check(1000000000000, 3, 1.0);
  CHECK(progan_images_to_full(100, 50, 3) == 450);
  CHECK(progan_growth(123, 100, 50, 0).level == 0);
  CHECK(progan_images_to_full(100, 50, 0) == 0);
  CHECK_THROWS_AS(progan_growth(-1, 100, 50, 3), UsageError);
}

TEST_CASE("A saved and loaded ProGAN generator reproduces its outputs bit for bit", "[progan]") {
  torch::manual_seed(11);
  Config config = style_config();
  config.model.num_classes = 4;
  ProganGenerator generator(config);
  const torch::Tensor z = torch::randn({2, 16});
  const torch::Tensor labels = torch::tensor({1, 3});
  generator.forward(z, labels);  // moves w_avg away from its initial zeros
  generator.eval();

  std::stringstream stream;
  {
    torch::serialize::OutputArchive archive;
    generator.save(archive);
    archive.save_to(stream);
  }
  torch::manual_seed(12);
  ProganGenerator loaded(config);
  {
    torch::serialize::InputArchive archive;
    archive.load_from(stream);
    loaded.load(archive);
  }
  loaded.eval();
  const auto expected = generator.named_parameters();
  for (const auto& item : loaded.named_parameters()) {
    INFO(item.key());
    CHECK(torch::equal(item.value(), expected[item.key()]));
  }
  CHECK(torch::equal(loaded.named_buffers()["w_avg"], generator.named_buffers()["w_avg"]));

  torch::manual_seed(13);
  const torch::Tensor original = generator.forward_truncated(z, labels, 0.7);
  torch::manual_seed(13);
  CHECK(torch::equal(loaded.forward_truncated(z, labels, 0.7), original));
  for (auto* network : {&generator, &loaded}) network->set_growth({1, 0.5});
  torch::manual_seed(14);
  const torch::Tensor faded = generator.forward(z, labels);
  torch::manual_seed(14);
  CHECK(torch::equal(loaded.forward(z, labels), faded));
}
