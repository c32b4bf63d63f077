// Super-resolution: pixel shuffle, bicubic resampling against torch, SR crops and degradations,
// the relativistic loss, the generator and discriminator, training steps, checkpoints, --init.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "synthgen/core/error.h"
#include "synthgen/data/bicubic.h"
#include "synthgen/data/dataset.h"
#include "synthgen/data/sr_pairs.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/npy.h"
#include "synthgen/losses/gan_losses.h"
#include "synthgen/losses/perceptual.h"
#include "synthgen/models/srgan.h"
#include "synthgen/train/sr_trainer.h"
#include "test_support.h"

using namespace synthgen;
namespace F = torch::nn::functional;

namespace {

const std::string kSrFixtures = std::string(SYNTHGEN_FIXTURE_DIR) + "/sr/";

Config tiny_sr_config() {
  Config config;
  config.model.family = "srgan";
  config.srgan.sr_scale = 4;
  config.srgan.sr_block = "rrdb";
  config.srgan.sr_blocks = 1;
  config.srgan.sr_growth = 4;
  config.model.base_channels = 8;
  config.data.channels = 3;
  config.data.image_size = 24;
  config.srgan.sr_patch = 16;
  config.train.batch_size = 4;
  config.train.lr = 1e-3;
  config.run.device = "cpu";
  return config;
}

// Smooth images in [-1, 1]: a fixed batch that a small G can learn to enlarge.
torch::Tensor smooth_batch(std::int64_t count, std::int64_t size) {
  torch::manual_seed(3);
  const torch::Tensor coarse = torch::rand({count, 3, size / 4, size / 4}) * 2 - 1;
  return F::interpolate(coarse, F::InterpolateFuncOptions()
                                    .size(std::vector<std::int64_t>{size, size})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
}

}  // namespace

TEST_CASE("pixel shuffle makes [B, C, 2H, 2W] from [B, 4C, H, W] and pixel unshuffle undoes it", "[srgan]") {
  const torch::Tensor x = torch::randn({2, 12, 5, 7});
  const torch::Tensor shuffled = F::pixel_shuffle(x, 2);
  CHECK(shuffled.sizes() == torch::IntArrayRef({2, 3, 10, 14}));
  // Output pixel (2i + a, 2j + b) of channel c comes from input channel 4c + 2a + b at (i, j).
  CHECK(shuffled[1][2][7][4].item<float>() == x[1][2 * 4 + 2 * 1 + 0][3][2].item<float>());
  CHECK(torch::equal(F::pixel_unshuffle(shuffled, 2), x));
  models::PixelShuffleUp up(6);
  CHECK(up->forward(torch::randn({1, 6, 4, 3})).sizes() == torch::IntArrayRef({1, 6, 8, 6}));
}

TEST_CASE("bicubic resize matches torch's antialiased bicubic interpolate", "[srgan]") {
  const torch::Tensor image = io::read_npy(kSrFixtures + "sr_image.npy");
  for (const char* name : {"sr_down4", "sr_down3", "sr_up2"}) {
    const torch::Tensor expected = io::read_npy(kSrFixtures + name + ".npy");
    const torch::Tensor ours = data::bicubic_resize(image, expected.size(2), expected.size(3));
    INFO(name);
    CHECK(ours.sizes() == expected.sizes());
    CHECK((ours - expected).abs().max().item<double>() < 1e-5);
  }
  SECTION("and ATen's own kernel in this LibTorch") {
    const torch::Tensor aten = at::_upsample_bicubic2d_aa(image, {6, 8}, false);
    CHECK((data::bicubic_resize(image, 6, 8) - aten).abs().max().item<double>() < 1e-5);
  }
  SECTION("each row of weights sums to 1, and a constant image stays constant") {
    const torch::Tensor weights = data::bicubic_weights(37, 9);
    CHECK(torch::allclose(weights.sum(1), torch::ones({9})));
    const torch::Tensor flat = torch::full({1, 1, 12, 12}, 0.25);
    CHECK(torch::allclose(data::bicubic_resize(flat, 3, 5), torch::full({1, 1, 3, 5}, 0.25)));
  }
}

TEST_CASE("relativistic average loss", "[srgan]") {
  SECTION("identical constant logits give log 2 for D and G") {
    const torch::Tensor logits = torch::full({6}, 1.7);
    CHECK(losses::relativistic_discriminator_loss(logits, logits).item<double>() == Approx(std::log(2.0)));
    CHECK(losses::relativistic_generator_loss(logits, logits).item<double>() == Approx(std::log(2.0)));
  }
  SECTION(
      "identical varying logits give the mean of log(1 + e^d) + log(1 + e^-d) over 2, d = l - "
      "mean") {
    const torch::Tensor logits = torch::tensor({-2.0, 0.5, 3.0, 1.0});
    const double mean = 0.625;
    double expected = 0.0;
    for (const double l : {-2.0, 0.5, 3.0, 1.0}) {
      const double d = l - mean;
      expected += (std::log1p(std::exp(-d)) + std::log1p(std::exp(d))) / 2.0 / 4.0;
    }
    CHECK(losses::relativistic_discriminator_loss(logits, logits).item<double>() == Approx(expected));
    CHECK(losses::relativistic_generator_loss(logits, logits).item<double>() == Approx(expected));
  }
  SECTION("D's loss falls as real logits rise above fake ones; G's rises") {
    const torch::Tensor fake = torch::zeros({4});
    const double d_low = losses::relativistic_discriminator_loss(torch::full({4}, 0.5), fake).item<double>();
    const double d_high = losses::relativistic_discriminator_loss(torch::full({4}, 3.0), fake).item<double>();
    CHECK(d_high < d_low);
    CHECK(losses::relativistic_generator_loss(torch::full({4}, 3.0), fake).item<double>() >
          losses::relativistic_generator_loss(torch::full({4}, 0.5), fake).item<double>());
  }
}

TEST_CASE("SR generators enlarge any size by their scale; D gives one logit per crop", "[srgan]") {
  Config config = tiny_sr_config();
  for (const std::string block : {"rrdb", "residual"}) {
    for (const int scale : {2, 4}) {
      config.srgan.sr_block = block;
      config.srgan.sr_scale = scale;
      models::SrGenerator g(config);
      INFO(block << " x" << scale);
      CHECK(g->forward(torch::randn({2, 3, 5, 7})).sizes() == torch::IntArrayRef({2, 3, 5 * scale, 7 * scale}));
    }
  }
  config.srgan.sr_bicubic_skip = true;
  config.data.channels = 1;
  models::SrGenerator grey(config);
  CHECK(grey->forward(torch::randn({1, 1, 6, 6})).sizes() == torch::IntArrayRef({1, 1, 24, 24}));
  config.data.channels = 3;
  config.srgan.sr_patch = 96;
  models::SrDiscriminator d(config);
  CHECK(d->forward(torch::randn({3, 3, 96, 96})).sizes() == torch::IntArrayRef({3}));
  CHECK_THROWS_AS(d->forward(torch::randn({1, 3, 64, 64})), UsageError);
}

TEST_CASE("SR crops, flips, rotations and LR degradations", "[srgan]") {
  torch::manual_seed(0);
  const torch::Tensor images = torch::rand({4, 3, 24, 24}) * 2 - 1;
  const torch::Tensor crops = data::random_sr_crops(images, 16, true);
  CHECK(crops.sizes() == torch::IntArrayRef({4, 3, 16, 16}));
  CHECK_THROWS_AS(data::random_sr_crops(images, 32, false), UsageError);
  SECTION("without degradations LR is the bicubic reduction on 8-bit levels") {
    const torch::Tensor lr = data::make_lr_images(crops, 4, {});
    CHECK(lr.sizes() == torch::IntArrayRef({4, 3, 4, 4}));
    const torch::Tensor reference = data::bicubic_resize(crops, 4, 4).clamp(-1, 1);
    CHECK((lr - reference).abs().max().item<double>() <= 0.5 / 127.5 + 1e-6);
    const torch::Tensor levels = (lr + 1) * 127.5;
    CHECK(torch::allclose(levels, levels.round(), 0.0, 1e-4));
  }
  SECTION("blur, noise and JPEG change LR but keep its shape and range") {
    data::Degradation degradation;
    degradation.blur_sigma_max = 2.0;
    degradation.noise_max = 10.0;
    degradation.jpeg_min_quality = 30;
    const torch::Tensor clean = data::make_lr_images(crops, 2, {});
    const torch::Tensor degraded = data::make_lr_images(crops, 2, degradation);
    CHECK(degraded.sizes() == clean.sizes());
    CHECK(degraded.abs().max().item<double>() <= 1.0);
    CHECK((degraded - clean).abs().mean().item<double>() > 0.01);
  }
  SECTION("window starts cover the length and end flush") {
    CHECK(data::window_starts(10, 4, 2) == std::vector<std::int64_t>{0, 2, 4, 6});
    CHECK(data::window_starts(11, 4, 2) == std::vector<std::int64_t>{0, 2, 4, 6, 7});
    CHECK(data::window_starts(3, 4, 2) == std::vector<std::int64_t>{0});
  }
}

TEST_CASE("a patch folder is cut into overlapping squares at the images' own resolution", "[srgan]") {
  testing::TempDir dir;
  testing::write_test_png(dir / "hr" / "a.png", 40, 24, 3, 1);
  testing::write_test_png(dir / "hr" / "sub" / "b.png", 16, 20, 3, 2);  // smaller: enlarged to 24
  testing::write_bytes((dir / "hr" / "broken.png").string(), {1, 2, 3});
  DataConfig cfg;
  cfg.source = "patches";
  cfg.path = (dir / "hr").string();
  cfg.image_size = 24;
  cfg.channels = 3;
  data::LoadStats stats;
  const data::ImageDataset dataset = data::load_dataset(cfg, 1, &stats);
  // a: 40 wide -> starts 0, 12, 16; 24 high -> one row. b: 24x30 -> starts 0, 6 down.
  CHECK(dataset.size() == 5);
  CHECK(dataset.images.sizes() == torch::IntArrayRef({5, 3, 24, 24}));
  CHECK(stats.skipped == 1);
  CHECK_FALSE(dataset.labels.defined());
}

TEST_CASE("a perceptual stand-in network loads and gives a differentiable loss", "[srgan]") {
  losses::PerceptualLoss loss(kSrFixtures + "perceptual_standin.pt", torch::kCPU);
  const torch::Tensor target = torch::rand({2, 3, 16, 16}) * 2 - 1;
  const torch::Tensor output = (target + 0.3 * torch::randn_like(target)).requires_grad_(true);
  const torch::Tensor value = loss(output, target);
  CHECK(value.item<double>() > 0.0);
  value.backward();
  CHECK(output.grad().abs().sum().item<double>() > 0.0);
  CHECK(loss(target, target).item<double>() == 0.0);
  CHECK(loss(torch::zeros({1, 1, 8, 8}), torch::zeros({1, 1, 8, 8})).item<double>() == 0.0);  // grey input
  CHECK_THROWS_WITH(losses::PerceptualLoss("/nonexistent/vgg.pt", torch::kCPU), Catch::Contains("/nonexistent/vgg.pt"));
}

TEST_CASE("SR training lowers the loss on a fixed batch, in both stages", "[srgan]") {
  Config config = tiny_sr_config();
  const torch::Tensor images = smooth_batch(4, 24);
  // The first step's pixel loss, and the mean over the last 10 of 40 steps: the adversarial
  // stage's loss wobbles from step to step, so one step alone would make the test flaky.
  auto first_and_late = [&](const Config& c) {
    torch::manual_seed(1);
    train::SrTrainer trainer(c, torch::kCPU);
    train::Batch batch{images, {}};
    double first = 0.0;
    double late = 0.0;
    for (int i = 0; i < 40; ++i) {
      torch::manual_seed(5);  // the same crops and LR every step
      const train::StepMetrics metrics = trainer.step(batch);
      const double pixel = metrics.at(1).second.item<double>();
      CHECK(std::isfinite(pixel));
      if (i == 0) first = pixel;
      if (i >= 30) late += pixel / 10;
    }
    return std::make_pair(first, late);
  };
  SECTION("PSNR stage (pixel loss only)") {
    const auto [first, late] = first_and_late(config);
    CHECK(late < 0.85 * first);
  }
  SECTION("GAN stage with perceptual loss and EMA") {
    config.srgan.gan_weight = 0.005;
    config.srgan.perceptual_weight = 0.1;
    config.srgan.perceptual_net = kSrFixtures + "perceptual_standin.pt";
    config.train.ema_decay = 0.9;
    const auto [first, late] = first_and_late(config);
    CHECK(late < 0.9 * first);
  }
}

TEST_CASE("an SR checkpoint round trip is bit-exact, and --init takes only the generator", "[srgan]") {
  Config config = tiny_sr_config();
  config.srgan.gan_weight = 0.01;
  config.train.ema_decay = 0.5;
  torch::manual_seed(2);
  train::SrTrainer trainer(config, torch::kCPU);
  const torch::Tensor images = smooth_batch(4, 24);
  for (int i = 0; i < 3; ++i) trainer.step({images, {}});
  torch::serialize::OutputArchive out;
  trainer.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);

  auto reload = [&bytes]() {
    torch::serialize::InputArchive in;
    std::istringstream stream(bytes.str());
    in.load_from(stream);
    return in;
  };
  torch::manual_seed(99);
  train::SrTrainer restored(config, torch::kCPU);
  {
    auto in = reload();
    restored.load(in);
  }
  const auto a = trainer.generator()->named_parameters();
  const auto b = restored.generator()->named_parameters();
  for (const auto& item : a) CHECK(torch::equal(item.value(), b[item.key()]));
  // The next step is identical too: optimizer and D states came back.
  torch::manual_seed(4);
  const double next_a = trainer.step({images, {}}).at(0).second.item<double>();
  torch::manual_seed(4);
  const double next_b = restored.step({images, {}}).at(0).second.item<double>();
  CHECK(next_a == next_b);
  {
    auto in = reload();
    train::LoadedSrGenerator loaded = train::load_sr_generator(config, in, torch::kCPU, false);
    const torch::Tensor lr = torch::rand({1, 3, 6, 6}) * 2 - 1;
    torch::NoGradGuard no_grad;
    auto in2 = reload();
    train::LoadedSrGenerator again = train::load_sr_generator(config, in2, torch::kCPU, false);
    CHECK(torch::equal(loaded.network->forward(lr), again.network->forward(lr)));
  }
  SECTION("--init into a PSNR-stage trainer takes the (EMA) generator") {
    Config stage = config;
    stage.srgan.gan_weight = 0.0;
    stage.train.ema_decay = 0.0;
    train::SrTrainer fresh(stage, torch::kCPU);
    auto in = reload();
    fresh.init_from(in, "memory");
    auto in2 = reload();
    const train::LoadedSrGenerator ema = train::load_sr_generator(config, in2, torch::kCPU, true);
    const auto loaded = ema.network->named_parameters();
    for (const auto& item : fresh.generator()->named_parameters())
      CHECK(torch::equal(item.value(), loaded[item.key()]));
  }
  SECTION("--init refuses a generator of another shape, naming the tensor") {
    Config other = config;
    other.model.base_channels = 12;
    train::SrTrainer fresh(other, torch::kCPU);
    auto in = reload();
    CHECK_THROWS_WITH(fresh.init_from(in, "run/x.ckpt"), Catch::Contains("run/x.ckpt") && Catch::Contains("shape"));
  }
}

TEST_CASE("train --init refuses a checkpoint of another scale or depth, naming the tensors that differ",
          "[srgan][checkpoint]") {
  // A x4 run with two residual-in-residual blocks.
  Config source = tiny_sr_config();
  source.srgan.sr_blocks = 2;
  train::SrTrainer trainer(source, torch::kCPU);
  torch::serialize::OutputArchive out;
  trainer.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  auto init = [&bytes](const Config& config) {
    train::SrTrainer fresh(config, torch::kCPU);
    torch::serialize::InputArchive in;
    std::istringstream stream(bytes.str());
    in.load_from(stream);
    fresh.init_from(in, "run/x4.ckpt");
  };
  CHECK_NOTHROW(init(source));
  SECTION("a x4 run into a x2 config: its second upsampling stage has no place") {
    Config x2 = source;
    x2.srgan.sr_scale = 2;
    CHECK_THROWS_AS(init(x2), UsageError);
    CHECK_THROWS_WITH(init(x2), Catch::Contains("run/x4.ckpt") && Catch::Contains("upsample.1.conv.weight") &&
                                    Catch::Contains("sr_scale"));
  }
  SECTION("a 2-block run into model.sr_blocks=1: the second block has no place") {
    Config one = source;
    one.srgan.sr_blocks = 1;
    CHECK_THROWS_AS(init(one), UsageError);
    CHECK_THROWS_WITH(init(one), Catch::Contains("trunk.1.block1.conv1.weight") && Catch::Contains("more"));
  }
  SECTION("a 2-block run into model.sr_blocks=3: the third block would keep its random weights") {
    Config three = source;
    three.srgan.sr_blocks = 3;
    CHECK_THROWS_AS(init(three), UsageError);
    CHECK_THROWS_WITH(init(three), Catch::Contains("trunk.2.block1.conv1.weight"));
  }
}

TEST_CASE("an srgan run stopped halfway and resumed is bit-identical, degradations included", "[srgan]") {
  testing::TempDir dir;
  for (int i = 0; i < 3; ++i) testing::write_test_png(dir / "hr" / fmt::format("{}.png", i), 40, 32, 3, i);
  Config config = tiny_sr_config();
  config.srgan.sr_scale = 2;
  config.data.source = "patches";
  config.data.path = (dir / "hr").string();
  config.data.image_size = 16;
  config.data.random_flip = true;
  config.srgan.sr_patch = 12;
  config.train.steps = 6;
  config.train.batch_size = 2;
  config.train.log_every = 2;
  config.train.sample_every = 3;
  config.train.checkpoint_every = 3;
  config.train.grid_size = 9;
  config.srgan.gan_weight = 0.01;
  config.srgan.sr_blur = 1.5;
  config.srgan.sr_noise = 5.0;
  config.srgan.sr_jpeg = 40;
  config.run.threads = 1;
  config.run.seed = 3;
  const std::string config_path = testing::write_config_file(dir, config);
  testing::train_straight_and_in_halves(dir, config_path, 3, 6);
  auto generator_of = [&](const std::string& run) {
    io::LoadedCheckpoint checkpoint = io::load_checkpoint((dir / run / "checkpoints" / "latest.ckpt").string());
    torch::serialize::InputArchive part;
    checkpoint.archive.read("trainer", part);
    return train::load_sr_generator(config, part, torch::kCPU, false).network;
  };
  const auto straight = generator_of("straight")->named_parameters();
  const auto halves = generator_of("halves")->named_parameters();
  for (const auto& item : straight) {
    INFO(item.key());
    CHECK(torch::equal(item.value(), halves[item.key()]));
  }
  CHECK(std::filesystem::exists(dir / "halves" / "samples" / "step_00000006.png"));
}
