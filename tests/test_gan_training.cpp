#include <fmt/format.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/file_io.h"
#include "synthgen/tasks/sample_task.h"
#include "synthgen/tasks/train_task.h"
#include "synthgen/train/gan_trainer.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

void make_two_class_folder(const fs::path& root) {
  for (int i = 0; i < 16; ++i) {
    testing::write_test_png(root / (i % 2 ? "circles" : "blobs") / fmt::format("{:03d}.png", i), 16, 16, 3, i);
  }
}

std::vector<torch::Tensor> snapshot(torch::nn::Module& module) {
  std::vector<torch::Tensor> copies;
  for (const auto& p : module.parameters()) copies.push_back(p.detach().clone());
  return copies;
}

bool all_changed(torch::nn::Module& module, const std::vector<torch::Tensor>& before) {
  const auto params = module.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (torch::equal(params[i].detach(), before[i])) return false;
  }
  return true;
}

torch::Tensor generator_output(const Config& config, const fs::path& checkpoint) {
  io::LoadedCheckpoint loaded = io::load_checkpoint(checkpoint.string());
  torch::serialize::InputArchive part;
  loaded.archive.read("trainer", part);
  const train::LoadedGenerator generator = train::load_generator(config, part, torch::kCPU);
  torch::NoGradGuard no_grad;
  const torch::Tensor labels = config.model.num_classes > 0 ? torch::tensor({0, 1, 1}) : torch::Tensor();
  return generator.network->forward(train::latents_for_seeds(5, 3, config.model.latent_dim, torch::kCPU), labels);
}

}  // namespace

TEST_CASE("every GAN loss and training option updates both networks with finite metrics", "[gan_training]") {
  struct Case {
    const char* name;
    std::function<void(Config&)> set;
  };
  const std::vector<Case> cases = {
      {"nonsaturating", [](Config&) {}},
      {"minimax", [](Config& c) { c.train.loss = "minimax"; }},
      {"wgan-gp, 2 critic steps",
       [](Config& c) {
         c.train.loss = "wgan-gp";
         c.gan.n_critic = 2;
       }},
      {"hinge, spectral norm",
       [](Config& c) {
         c.train.loss = "hinge";
         c.model.spectral_norm = true;
       }},
      {"lsgan, R1, drift, DiffAugment, EMA",
       [](Config& c) {
         c.train.loss = "lsgan";
         c.gan.r1_gamma = 1.0;
         c.gan.drift = 0.001;
         c.gan.augment = "color,translation,cutout";
         c.train.ema_decay = 0.9;
       }},
      {"vanilla, conditional",
       [](Config& c) {
         c.model.family = "vanilla";
         c.vanilla.hidden_dim = 16;
         c.model.num_classes = 2;
       }},
      {"hinge, conditional, mode seeking",
       [](Config& c) {
         c.train.loss = "hinge";
         c.model.num_classes = 2;
         c.gan.mode_seeking = 1.0;
       }},
  };
  for (const Case& test : cases) {
    INFO(test.name);
    Config config = testing::tiny_config("unused");
    test.set(config);
    torch::manual_seed(3);
    train::DataInfo info;
    if (config.model.num_classes > 0) info.num_classes = config.model.num_classes;
    train::GanTrainer trainer(config, torch::kCPU, info);
    const auto g_before = snapshot(trainer.generator());
    const auto d_before = snapshot(trainer.discriminator());
    train::Batch batch{torch::rand({8, 3, 16, 16}) * 2 - 1, torch::tensor({0, 1, 0, 1, 0, 1, 0, 1})};
    for (int step = 0; step < 2; ++step) {
      bool logged_mode_seeking = false;
      for (const auto& [name, value] : trainer.step(batch)) {
        INFO(name);
        CHECK(std::isfinite(value.item<double>()));
        if (name == "mode_seeking") {
          logged_mode_seeking = true;
          CHECK(value.item<double>() > 0.0);
        }
      }
      CHECK(logged_mode_seeking == (config.gan.mode_seeking > 0.0));
    }
    CHECK(all_changed(trainer.generator(), g_before));
    CHECK(all_changed(trainer.discriminator(), d_before));
    CHECK(trainer.preview(4, 0).sizes() == torch::IntArrayRef({4, 3, 16, 16}));
  }
}

TEST_CASE("a conditional GAN refuses data without matching labels", "[gan_training]") {
  Config config = testing::tiny_config("unused");
  config.model.num_classes = 3;
  train::DataInfo two_classes;
  two_classes.num_classes = 2;
  CHECK_THROWS_WITH(train::GanTrainer(config, torch::kCPU, two_classes),
                    Contains("model.num_classes is 3") && Contains("has 2 classes"));
  CHECK_THROWS_WITH(train::GanTrainer(config, torch::kCPU, {}), Contains("has no labels"));
}

TEST_CASE("resuming a conditional run with EMA, DiffAugment, R1 and mode seeking is bit-identical", "[gan_training]") {
  testing::TempDir dir;
  make_two_class_folder(dir / "images");
  Config config = testing::tiny_config((dir / "images").string());
  config.model.num_classes = 2;
  config.train.loss = "hinge";
  config.train.ema_decay = 0.8;
  config.gan.augment = "translation,cutout";
  config.gan.r1_gamma = 0.5;
  config.gan.n_critic = 2;
  config.gan.mode_seeking = 1.0;
  const std::string path = testing::write_config_file(dir, config, "conditional.yaml");

  testing::train_straight_and_in_halves(dir, path, 3, 6);
  CHECK(torch::equal(generator_output(config, dir / "straight" / "checkpoints" / "latest.ckpt"),
                     generator_output(config, dir / "halves" / "checkpoints" / "latest.ckpt")));

  SECTION("samples carry the requested class in the manifest") {
    SampleRequest request;
    request.checkpoint = (dir / "straight").string();
    request.num = 4;
    request.threads = 1;
    request.out_dir = (dir / "one_class").string();
    request.classes = "1";
    REQUIRE(run_sample(request) == 0);
    const auto lines = testing::read_lines(dir / "one_class" / "manifest.csv");
    REQUIRE(lines.size() == 5);
    CHECK(lines[0] == "file,seed,label,class");
    CHECK(lines[1] == "000000.png,0,1,circles");
    CHECK(lines[4] == "000003.png,3,1,circles");

    request.out_dir = (dir / "balanced").string();
    request.classes = "balanced";
    REQUIRE(run_sample(request) == 0);
    const auto balanced = testing::read_lines(dir / "balanced" / "manifest.csv");
    CHECK(balanced[1] == "000000.png,0,0,blobs");
    CHECK(balanced[2] == "000001.png,1,1,circles");

    request.out_dir = (dir / "bad").string();
    request.classes = "2";
    CHECK_THROWS_WITH(run_sample(request), Contains("expected a class index 0..1"));
  }
}

TEST_CASE("a ProGAN run takes each resolution's batch size from train.batch_sizes", "[gan_training]") {
  testing::TempDir dir;
  make_two_class_folder(dir / "images");
  Config config = testing::tiny_config((dir / "images").string());
  config.model.family = "progan";
  config.model.base_channels = 4;
  config.progan.max_channels = 8;
  config.model.latent_dim = 8;
  config.progan.fade_images = 16;
  config.progan.stable_images = 16;
  config.progan.batch_sizes = {16, 8, 4};  // 4x4, 8x8, 16x16
  config.train.log_every = 1;
  config.train.sample_every = 0;
  config.train.checkpoint_every = 3;
  const std::string path = testing::write_config_file(dir, config, "progan.yaml");

  // 16 images at 4x4 are one step; the 8x8 fade and stable phases take 2 steps each of 8; the
  // 16x16 fade takes 4 steps of 4. With one batch size throughout the alphas would differ.
  testing::train_straight_and_in_halves(dir, path, 3, 8);
  const auto metrics = testing::read_lines(dir / "straight" / "metrics.jsonl");
  REQUIRE(metrics.size() == 8);
  CHECK(metrics[0].find("\"resolution\":4,") != std::string::npos);
  CHECK(metrics[1].find("\"resolution\":8,\"alpha\":0,") != std::string::npos);
  CHECK(metrics[2].find("\"resolution\":8,\"alpha\":0.5,") != std::string::npos);
  CHECK(metrics[4].find("\"resolution\":8,\"alpha\":1,") != std::string::npos);
  CHECK(metrics[5].find("\"resolution\":16,\"alpha\":0,") != std::string::npos);
  CHECK(metrics[6].find("\"resolution\":16,\"alpha\":0.25,") != std::string::npos);
  CHECK(torch::equal(generator_output(config, dir / "straight" / "checkpoints" / "latest.ckpt"),
                     generator_output(config, dir / "halves" / "checkpoints" / "latest.ckpt")));

  TrainRequest wrong_count;
  wrong_count.config_path = path;
  wrong_count.out_dir = (dir / "wrong").string();
  wrong_count.overrides = {"train.batch_sizes=[16, 8]"};
  CHECK_THROWS_WITH(run_train(wrong_count),
                    Contains("train.batch_sizes: expected 3 batch sizes, one per resolution 4x4 to 16x16, got 2"));
  wrong_count.overrides = {"train.batch_sizes=[16, 8, 4]", "model.family=dcgan"};
  CHECK_THROWS_WITH(run_train(wrong_count), Contains("train.batch_sizes is only used by progan, not dcgan"));
}

TEST_CASE("a ProGAN run grows through its schedule and resumes it exactly", "[gan_training]") {
  testing::TempDir dir;
  make_two_class_folder(dir / "images");
  Config config = testing::tiny_config((dir / "images").string());
  config.model.family = "progan";
  config.model.base_channels = 4;
  config.progan.max_channels = 8;
  config.model.latent_dim = 8;
  config.train.loss = "wgan-gp";
  config.gan.drift = 0.001;
  config.train.ema_decay = 0.9;
  config.progan.fade_images = 16;
  config.progan.stable_images = 16;
  config.train.steps = 10;  // 80 images: 4x4, fade to 8x8, 8x8, fade to 16x16, 16x16
  config.train.log_every = 1;
  config.train.sample_every = 5;
  config.train.checkpoint_every = 5;
  const std::string path = testing::write_config_file(dir, config, "progan.yaml");

  testing::train_straight_and_in_halves(dir, path, 5, 10);
  const auto metrics = testing::read_lines(dir / "straight" / "metrics.jsonl");
  REQUIRE(metrics.size() == 10);
  CHECK(metrics[0].find("\"resolution\":4,") != std::string::npos);
  CHECK(metrics[2].find("\"resolution\":8,\"alpha\":0") != std::string::npos);  // 16 images seen: fade starts
  CHECK(metrics[9].find("\"resolution\":16,\"alpha\":1") != std::string::npos);

  CHECK(torch::equal(generator_output(config, dir / "straight" / "checkpoints" / "latest.ckpt"),
                     generator_output(config, dir / "halves" / "checkpoints" / "latest.ckpt")));

  // Samples come out at the configured size; the truncation trick needs psi in [0, 1].
  SampleRequest request;
  request.checkpoint = (dir / "straight").string();
  request.num = 3;
  request.threads = 1;
  request.grid_path = (dir / "grid.png").string();
  request.generator.truncation = 0.5;
  REQUIRE(run_sample(request) == 0);
  request.generator.truncation = 1.5;
  CHECK_THROWS_WITH(run_sample(request), Contains("--truncation"));
}
