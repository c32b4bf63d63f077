// The translation families (pix2pix, cyclegan): networks, losses, image pool, paired data, training
// steps, checkpoints and `synthgen translate`.
#include <catch2/catch.hpp>
#include <filesystem>
#include <numeric>
#include <sstream>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/data/dataset.h"
#include "synthgen/data/translation_data.h"
#include "synthgen/eval/image_source.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/losses/translation_losses.h"
#include "synthgen/models/cyclegan.h"
#include "synthgen/models/pix2pix.h"
#include "synthgen/models/sr_tiling.h"
#include "synthgen/tasks/translate_task.h"
#include "synthgen/train/cyclegan_trainer.h"
#include "synthgen/train/image_pool.h"
#include "synthgen/train/pix2pix_trainer.h"
#include "synthgen/train/translator.h"
#include "test_support.h"

using namespace synthgen;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

// A tiny pix2pix or cyclegan on 24x24 grey examples held at 28x28 (so the jitter crops).
Config tiny_translation_config(const std::string& family, const std::string& data_path) {
  Config config;
  config.model.family = family;
  config.model.base_channels = 4;
  config.model.norm = "instance";
  config.data.source = family == "pix2pix" ? "paired" : "unpaired";
  config.data.path = data_path;
  config.data.image_size = 24;
  config.data.load_size = 28;
  config.data.channels = 1;
  config.data.random_flip = true;
  config.train.loss = family == "pix2pix" ? "nonsaturating" : "lsgan";
  config.train.steps = 2;
  config.train.batch_size = 2;
  config.train.log_every = 1;
  config.train.sample_every = 0;
  config.train.checkpoint_every = 0;
  if (family == "cyclegan") {
    config.cyclegan.generator_blocks = 1;
    config.cyclegan.pool_size = 4;
  }
  config.run.device = "cpu";
  config.run.threads = 1;
  return config;
}

// Examples [B, 2, 28, 28] in [-1, 1] whose B half is a fixed function of the A half. Smooth, as
// images are: a U-Net has no full-resolution path that could copy pixel noise.
torch::Tensor fixed_pairs(std::int64_t count) {
  torch::manual_seed(3);
  const torch::Tensor a = torch::upsample_bilinear2d(torch::rand({count, 1, 4, 4}) * 2 - 1, {28, 28}, false);
  return torch::cat({a, -a}, 1);
}

std::string serialized(train::Trainer& trainer) {
  torch::serialize::OutputArchive archive;
  trainer.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void restore(train::Trainer& trainer, const std::string& bytes) {
  std::istringstream in(bytes);
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  trainer.load(archive);
}

}  // namespace

TEST_CASE("the U-Net's output has its input's shape", "[translate]") {
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  for (const int levels : {2, 3, 5}) {
    models::UnetGenerator g(3, 3, 4, levels, "batch");
    g->eval();
    CHECK(g->stride() == (1 << levels));
    for (const std::int64_t side : {std::int64_t{32}, std::int64_t{64}}) {
      for (const std::int64_t width : {side, 2 * side}) {
        INFO("levels " << levels << ", " << side << "x" << width);
        const torch::Tensor out = g->forward(torch::rand({2, 3, side, width}) * 2 - 1);
        CHECK(out.sizes() == torch::IntArrayRef({2, 3, side, width}));
        CHECK(out.abs().max().item<float>() <= 1.0f);
      }
    }
  }
  models::UnetGenerator grey(1, 1, 4, 3, "instance");
  CHECK(grey->forward(torch::zeros({1, 1, 24, 40})).sizes() == torch::IntArrayRef({1, 1, 24, 40}));
  CHECK_THROWS_AS(grey->forward(torch::zeros({1, 1, 20, 40})), UsageError);
  Pix2pixSettings pix2pix;
  CHECK(models::unet_levels_for(pix2pix, 256) == 8);
  CHECK(models::unet_levels_for(pix2pix, 32) == 5);
  CHECK(models::unet_levels_for(pix2pix, 28) == 2);
  CHECK_THROWS_AS(models::unet_levels_for(pix2pix, 30), ConfigError);
  pix2pix.unet_levels = 3;
  CHECK(models::unet_levels_for(pix2pix, 256) == 3);
}

TEST_CASE("the ResNet generator keeps the shape; the PatchGAN sees 70 x 70 pixels", "[translate]") {
  torch::manual_seed(0);
  models::ResnetGenerator g(3, 4, 2, "instance");
  CHECK(g->forward(torch::zeros({2, 3, 20, 36})).sizes() == torch::IntArrayRef({2, 3, 20, 36}));

  models::PatchDiscriminator d(2, 4, "none");
  CHECK(models::receptive_field(d->geometry()) == 70);
  CHECK(models::receptive_field({{3, 1}, {3, 1}}) == 5);
  // Measured: the input pixels that move one central output logit span exactly 70 x 70.
  d->eval();
  const torch::Tensor x = torch::randn({1, 2, 160, 160}, torch::requires_grad());
  const torch::Tensor logits = d->forward(x);
  REQUIRE(logits.size(2) == 18);
  logits[0][0][9][9].backward();
  const torch::Tensor touched = x.grad().abs().sum(std::vector<std::int64_t>{0, 1}) > 0;
  CHECK(touched.any(1).sum().item<std::int64_t>() == 70);
  CHECK(touched.any(0).sum().item<std::int64_t>() == 70);
}

TEST_CASE("translation losses", "[translate][losses]") {
  torch::manual_seed(1);
  const torch::Tensor a = torch::rand({2, 1, 8, 8}) * 2 - 1;
  const torch::Tensor b = torch::rand({2, 1, 8, 8}) * 2 - 1;
  SECTION("cycle loss is 0 when both generators are the identity, and weighted L1 otherwise") {
    auto identity = [](const torch::Tensor& x) { return x; };
    CHECK(losses::cycle_loss(a, identity(identity(a)), b, identity(identity(b)), 10.0).item<double>() == 0.0);
    auto halve = [](const torch::Tensor& x) { return 0.5 * x; };
    const double expected = 10.0 * ((0.75 * a).abs().mean().item<double>() + (0.75 * b).abs().mean().item<double>());
    CHECK(losses::cycle_loss(a, halve(halve(a)), b, halve(halve(b)), 10.0).item<double>() ==
          Approx(expected).epsilon(1e-6));
  }
  SECTION("identity loss compares each generator's output with its own input domain") {
    CHECK(losses::identity_loss(a, a, b, b, 5.0).item<double>() == 0.0);
    // G_BA(a) must be compared with a, not b: swapping the domains is not free.
    CHECK(losses::identity_loss(a, b, b, a, 5.0).item<double>() > 0.0);
    CHECK(losses::identity_loss(a, a, b, torch::zeros_like(b), 5.0).item<double>() ==
          Approx(5.0 * b.abs().mean().item<double>()).epsilon(1e-6));
  }
  SECTION("patch losses: LSGAN as CycleGAN's MSE, halved for D") {
    const torch::Tensor ones = torch::ones({2, 1, 3, 3});
    const torch::Tensor zeros = torch::zeros({2, 1, 3, 3});
    CHECK(losses::patch_discriminator_loss(losses::GanLoss::kLsgan, ones, zeros).item<double>() == 0.0);
    CHECK(losses::patch_discriminator_loss(losses::GanLoss::kLsgan, zeros, ones).item<double>() == Approx(1.0));
    CHECK(losses::patch_generator_loss(losses::GanLoss::kLsgan, zeros).item<double>() == Approx(1.0));
    CHECK(losses::patch_generator_loss(losses::GanLoss::kNonSaturating, zeros).item<double>() == Approx(std::log(2.0)));
    CHECK(losses::patch_discriminator_loss(losses::GanLoss::kNonSaturating, zeros, zeros).item<double>() ==
          Approx(std::log(2.0)));
    CHECK(losses::l1_distance(a, a + 0.25).item<double>() == Approx(0.25));
  }
}

TEST_CASE("the image pool returns stored images with probability 1/2 once full", "[translate]") {
  torch::manual_seed(5);
  train::ImagePool pool(10);
  for (int i = 0; i < 10; ++i) {
    const torch::Tensor image = torch::full({1, 1, 2, 2}, static_cast<float>(i));
    CHECK(torch::equal(pool.query(image), image));  // filling: the image itself
  }
  CHECK(pool.size() == 10);
  const int queries = 4000;
  int from_history = 0;
  std::set<float> seen;
  for (int i = 0; i < 10; ++i) seen.insert(static_cast<float>(i));
  for (int i = 0; i < queries; ++i) {
    const float value = 100.0f + static_cast<float>(i);
    const torch::Tensor returned = pool.query(torch::full({1, 1, 2, 2}, value));
    const float got = returned[0][0][0][0].item<float>();
    if (got != value) {
      ++from_history;
      CHECK(seen.count(got) == 1);  // an image that went in before
    }
    seen.insert(value);
  }
  CHECK(static_cast<double>(from_history) / queries == Approx(0.5).margin(0.03));
  // A batch keeps its size; capacity 0 passes images through.
  CHECK(pool.query(torch::zeros({3, 1, 2, 2})).size(0) == 3);
  train::ImagePool none(0);
  const torch::Tensor images = torch::rand({3, 1, 2, 2});
  CHECK(torch::equal(none.query(images), images));
}

TEST_CASE("paired data: jitter crops A and B at the same place; both layouts load", "[translate][data]") {
  torch::manual_seed(2);
  const torch::Tensor pairs = fixed_pairs(16);
  const torch::Tensor crops = data::translation_crop(pairs, 24);
  REQUIRE(crops.sizes() == torch::IntArrayRef({16, 2, 24, 24}));
  CHECK(torch::equal(data::domain_b(crops), -data::domain_a(crops)));
  // The crops are real sub-squares of their examples, at more than one place.
  std::set<std::pair<int, int>> places;
  for (int i = 0; i < 16; ++i) {
    for (int y = 0; y <= 4; ++y) {
      for (int x = 0; x <= 4; ++x) {
        if (torch::equal(pairs[i].slice(1, y, y + 24).slice(2, x, x + 24), crops[i])) places.insert({y, x});
      }
    }
  }
  CHECK(places.size() > 1);
  CHECK(torch::equal(data::translation_crop(pairs, 28), pairs));

  testing::TempDir dir;
  for (int i = 0; i < 3; ++i) {
    io::Image a = testing::pattern_image(20, 20, 1, i);
    io::Image b = a;
    for (auto& p : b.pixels) p = static_cast<std::uint8_t>(255 - p);
    testing::write_bytes(dir.file(fmt::format("split/A/{}.png", i)), io::encode_png(a));
    testing::write_bytes(dir.file(fmt::format("split/B/{}.png", i)), io::encode_png(b));
    io::Image both;
    both.width = 40;
    both.height = 20;
    both.channels = 1;
    for (int y = 0; y < 20; ++y) {
      both.pixels.insert(both.pixels.end(), a.pixels.begin() + y * 20, a.pixels.begin() + (y + 1) * 20);
      both.pixels.insert(both.pixels.end(), b.pixels.begin() + y * 20, b.pixels.begin() + (y + 1) * 20);
    }
    testing::write_bytes(dir.file(fmt::format("joined/{}.png", i)), io::encode_png(both));
  }
  testing::write_bytes(dir.file("split/A/lonely.png"), io::encode_png(testing::pattern_image(20, 20, 1, 9)));
  for (const std::string layout : {"split", "joined"}) {
    INFO(layout);
    DataConfig cfg = tiny_translation_config("pix2pix", (dir / layout).string()).data;
    cfg.image_size = 20;  // held as written: no resampling, so B stays exactly 255 - A
    cfg.load_size = 0;
    data::LoadStats stats;
    const data::ImageDataset set = data::load_dataset(cfg, 1, &stats);
    CHECK(set.size() == 3);
    CHECK(stats.skipped == (layout == "split" ? 1 : 0));
    REQUIRE(set.images.sizes() == torch::IntArrayRef({3, 2, 20, 20}));
    const torch::Tensor a = set.images.select(1, 0).to(torch::kInt);
    const torch::Tensor b = set.images.select(1, 1).to(torch::kInt);
    CHECK(torch::equal(a + b, torch::full_like(a, 255)));
  }
  testing::write_test_png(dir / "two" / "trainA" / "0.png", 24, 24, 1, 1);
  for (int i = 0; i < 3; ++i) testing::write_test_png(dir / "two" / "trainB" / fmt::format("{}.png", i), 24, 24, 1, i);
  DataConfig two = tiny_translation_config("cyclegan", (dir / "two").string()).data;
  two.load_size = 20;
  const data::ImageDataset unpaired = data::load_dataset(two, 1);
  CHECK(unpaired.size() == 3);  // every B once, the single A three times
  CHECK(torch::equal(unpaired.images[0][0], unpaired.images[2][0]));
  CHECK_FALSE(torch::equal(unpaired.images[0][1], unpaired.images[2][1]));
}

TEST_CASE("paired data refuses folders that hold no pairs, naming the file and the layouts", "[translate][data]") {
  testing::TempDir dir;
  // Single images, a class-folder data set, A/ without B/, and one image of a side-by-side set that
  // is not two squares: none of them holds A|B pairs.
  for (int i = 0; i < 3; ++i) testing::write_test_png(dir / "single" / fmt::format("{}.png", i), 28, 28, 1, i);
  testing::write_test_png(dir / "classes" / "cat" / "0.png", 28, 28, 1, 5);
  testing::write_test_png(dir / "classes" / "dog" / "1.png", 28, 28, 1, 6);
  testing::write_test_png(dir / "only_a" / "A" / "0.png", 20, 20, 1, 7);
  testing::write_test_png(dir / "mixed" / "0.png", 40, 20, 1, 8);
  testing::write_test_png(dir / "mixed" / "1.png", 60, 20, 1, 9);
  const std::vector<std::pair<std::string, std::string>> cases = {{"single", "0.png' is 28x28"},
                                                                  {"classes", "0.png' is 28x28"},
                                                                  {"only_a", "0.png' is 20x20"},
                                                                  {"mixed", "1.png' is 60x20"}};
  for (const auto& [folder, named] : cases) {
    INFO(folder);
    const DataConfig cfg = tiny_translation_config("pix2pix", (dir / folder).string()).data;
    CHECK_THROWS_AS(data::load_dataset(cfg, 1), UsageError);
    CHECK_THROWS_WITH(data::load_dataset(cfg, 1),
                      Contains(named) && Contains("A/ and B/") && Contains("width 2 x height"));
  }
  SECTION("train stops with one line and exit code 2") {
    const Config config = tiny_translation_config("pix2pix", (dir / "classes").string());
    const std::string path = testing::write_config_file(dir, config, "pix2pix.yaml");
    const auto result =
        testing::run_command(testing::synthgen_binary() + " train --config " + testing::quoted(fs::path(path)) +
                             " --out " + testing::quoted(dir / "run"));
    CHECK(result.exit_code == 2);
    CHECK_THAT(testing::final_error_line(result.output), Contains("cat") && Contains("side-by-side"));
  }
}

TEST_CASE("translation config errors", "[translate][config]") {
  auto load = [](const std::string& text) { return load_config_text(text, "t.yaml"); };
  const std::string base = "model:\n  family: pix2pix\ndata:\n  source: paired\n  path: x\n  image_size: 32\n";
  CHECK(load(base).model.family == "pix2pix");
  CHECK_THROWS_WITH(load("model:\n  family: pix2pix\ndata:\n  source: folder\n  path: x\n"),
                    Contains("data.source") && Contains("expected data.source paired"));
  CHECK_THROWS_WITH(load(base + "  load_size: 16\n"), Contains("data.load_size 16 is smaller than data.image_size 32"));
  CHECK_THROWS_WITH(load_config_text(base, "t.yaml", {"model.unet_levels=6"}), Contains("model.unet_levels 6"));
  CHECK_THROWS_WITH(load("data:\n  source: unpaired\n  path: x\n"), Contains("for pix2pix and cyclegan, not dcgan"));
  CHECK_THROWS_WITH(load("model:\n  norm: instance\n"), Contains("model.norm instance"));
  CHECK_THROWS_WITH(load("model:\n  family: cyclegan\ndata:\n  source: unpaired\n  path: x\n  image_size: 30\n"),
                    Contains("must be a multiple of 4"));
  CHECK_THROWS_WITH(load(base + "train:\n  loss: wgan-gp\n"), Contains("nonsaturating, lsgan or hinge"));
  // A constant phase as long as the run (a shipped config's 2-step smoke run) is allowed: the
  // rate stays at train.lr, and the training loop says so.
  CHECK(load(base + "train:\n  lr_schedule: linear\n  steps: 2\n  lr_constant_steps: 100\n").train.lr_constant_steps ==
        100);
  CHECK_THROWS_WITH(load(base + "train:\n  lr_constant_steps: 10\n"),
                    Contains("only used with train.lr_schedule linear"));
  CHECK_THROWS_WITH(load(base + "train:\n  pool_size: -1\n"), Contains("train.pool_size"));
  CHECK_THROWS_WITH(load_config_text(base, "t.yaml", {"data.image_size=16"}), Contains("at least 24"));

  TrainConfig train;
  train.lr = 1.0;
  train.steps = 100;
  train.lr_schedule = "linear";
  train.lr_constant_steps = 60;
  CHECK(train::scheduled_learning_rate(train, 0) == 1.0);
  CHECK(train::scheduled_learning_rate(train, 59) == 1.0);
  CHECK(train::scheduled_learning_rate(train, 60) == 1.0);
  CHECK(train::scheduled_learning_rate(train, 80) == Approx(0.5));
  CHECK(train::scheduled_learning_rate(train, 100) == 0.0);
  train.steps = 2;
  CHECK(train::scheduled_learning_rate(train, 1) == 1.0);
}

TEST_CASE("training steps lower the losses on a fixed batch", "[translate][train]") {
  testing::TempDir dir;
  const torch::Device cpu(torch::kCPU);
  train::Batch batch;
  batch.images = fixed_pairs(4);
  SECTION("pix2pix: L1 to the target") {
    torch::manual_seed(0);
    Config config = tiny_translation_config("pix2pix", dir.str());
    config.train.lr = 1e-3;
    train::Pix2PixTrainer trainer(config, cpu);
    std::vector<double> l1;
    for (int i = 0; i < 40; ++i) l1.push_back(trainer.step(batch)[2].second.item<double>());
    CHECK(l1.back() < 0.6 * l1.front());
    const torch::Tensor grid = trainer.preview(0, 0);
    // The first 8 examples seen (two steps of 4) x (A, G(A), B).
    CHECK(grid.sizes() == torch::IntArrayRef({24, 1, 24, 24}));
  }
  SECTION("cyclegan: the cycle loss") {
    torch::manual_seed(0);
    Config config = tiny_translation_config("cyclegan", dir.str());
    config.train.lr = 1e-3;
    train::CycleGanTrainer trainer(config, cpu);
    std::vector<double> cycle;
    for (int i = 0; i < 40; ++i) cycle.push_back(trainer.step(batch)[2].second.item<double>());
    const double last = std::accumulate(cycle.end() - 5, cycle.end(), 0.0) / 5;
    CHECK(last < 0.7 * cycle.front());
    CHECK(trainer.preview(0, 0).size(0) == 48);
  }
}

TEST_CASE("a checkpoint round trip reproduces a translation exactly", "[translate][checkpoint]") {
  testing::TempDir dir;
  const torch::Device cpu(torch::kCPU);
  train::Batch batch;
  batch.images = fixed_pairs(2);
  const torch::Tensor input = torch::rand({2, 1, 24, 24}) * 2 - 1;
  for (const std::string family : {"pix2pix", "cyclegan"}) {
    INFO(family);
    for (const std::string norm : {"batch", "instance"}) {
      torch::manual_seed(0);
      Config config = tiny_translation_config(family, dir.str());
      config.model.norm = norm;
      auto trainer = train::make_trainer(config, cpu, {});
      trainer->step(batch);
      trainer->step(batch);
      const std::string bytes = serialized(*trainer);
      torch::manual_seed(99);  // a different initialisation, overwritten by the load
      auto copy = train::make_trainer(config, cpu, {});
      restore(*copy, bytes);
      // Optimizer states, pools and previews came back too: the next step is the same in both.
      torch::manual_seed(5);
      const train::StepMetrics original_step = trainer->step(batch);
      torch::manual_seed(5);
      const train::StepMetrics restored_step = copy->step(batch);
      for (std::size_t i = 0; i < original_step.size(); ++i) {
        INFO(original_step[i].first);
        CHECK(torch::equal(original_step[i].second, restored_step[i].second));
      }

      std::istringstream in(serialized(*trainer));
      torch::serialize::InputArchive archive;
      archive.load_from(in);
      train::LoadedTranslator first = train::load_translator(config, archive, cpu, "AtoB", "test");
      std::istringstream in2(serialized(*copy));
      torch::serialize::InputArchive archive2;
      archive2.load_from(in2);
      train::LoadedTranslator second = train::load_translator(config, archive2, cpu, "AtoB", "test");
      torch::NoGradGuard no_grad;
      CHECK(torch::equal(first.network(input), second.network(input)));
      CHECK(torch::equal(trainer->preview(0, 0), copy->preview(0, 0)));
      if (family == "pix2pix") {
        std::istringstream in3(bytes);
        torch::serialize::InputArchive archive3;
        archive3.load_from(in3);
        CHECK_THROWS_WITH(train::load_translator(config, archive3, cpu, "BtoA", "run.ckpt"),
                          Contains("pix2pix") && Contains("A to B only"));
      }
    }
  }
}

TEST_CASE("translate_padded pads to the stride and crops back", "[translate]") {
  const models::ImageNetwork per_pixel = [](const torch::Tensor& x) {
    REQUIRE(x.size(2) % 8 == 0);
    REQUIRE(x.size(3) % 8 == 0);
    return torch::tanh(2 * x);
  };
  const torch::Tensor image = torch::rand({2, 3, 13, 21}) * 2 - 1;
  CHECK(torch::allclose(models::translate_padded(per_pixel, image, 8), torch::tanh(2 * image)));
  const torch::Tensor tiny = torch::rand({1, 1, 3, 2}) * 2 - 1;  // too small to mirror an 8-pixel pad
  CHECK(torch::allclose(models::translate_padded(per_pixel, tiny, 8), torch::tanh(2 * tiny)));
  CHECK(torch::allclose(models::translate_padded(per_pixel, tiny, 8, 16), torch::tanh(2 * tiny)));
  models::ResnetGenerator resnet(1, 4, 1, "instance");
  resnet->eval();
  const models::ImageNetwork resnet_network = [&](const torch::Tensor& x) { return resnet->forward(x); };
  CHECK(models::translate_padded(resnet_network, torch::zeros({1, 1, 2, 3}), 4, 8).sizes() ==
        torch::IntArrayRef({1, 1, 2, 3}));
  torch::manual_seed(0);
  models::UnetGenerator g(1, 1, 4, 3, "instance");
  g->eval();
  torch::NoGradGuard no_grad;
  const models::ImageNetwork unet = [&](const torch::Tensor& x) { return g->forward(x); };
  CHECK(models::translate_padded(unet, torch::zeros({1, 1, 19, 30}), g->stride()).sizes() ==
        torch::IntArrayRef({1, 1, 19, 30}));
}

TEST_CASE("synthgen translate keeps the folder tree, names and labels", "[translate][cli][slow]") {
  testing::TempDir dir;
  for (int i = 0; i < 4; ++i) {
    testing::write_test_png(dir / "pairs" / "A" / fmt::format("{}.png", i), 28, 28, 1, i);
    testing::write_test_png(dir / "pairs" / "B" / fmt::format("{}.png", i), 28, 28, 1, 10 + i);
    testing::write_test_png(dir / "domains" / "trainA" / fmt::format("{}.png", i), 28, 28, 1, i);
    testing::write_test_png(dir / "domains" / "trainB" / fmt::format("{}.png", i), 28, 28, 1, 10 + i);
  }
  const std::string bin = testing::synthgen_binary();
  for (const std::string family : {"pix2pix", "cyclegan"}) {
    const Config config = tiny_translation_config(family, (dir / (family == "pix2pix" ? "pairs" : "domains")).string());
    const std::string path = testing::write_config_file(dir, config, family + ".yaml");
    const auto trained = testing::run_command(bin + " train --config " + testing::quoted(fs::path(path)) + " --out " +
                                              testing::quoted(dir / family));
    REQUIRE(trained.exit_code == 0);
  }
  // A labelled data set: class folders, a labels file, sizes unlike the training size.
  testing::write_test_png(dir / "in" / "cats" / "a.png", 13, 9, 1, 20);
  testing::write_test_png(dir / "in" / "dogs" / "deep" / "b.png", 40, 33, 3, 21);
  testing::write_bytes((dir / "in" / "dogs" / "c.jpg").string(),
                       io::encode_jpeg(testing::pattern_image(16, 16, 3, 22), 90));
  testing::write_bytes((dir / "in" / "labels.csv").string(), {'f', ',', 'y', '\n'});
  testing::write_bytes((dir / "in" / "dogs" / "broken.png").string(), {0x89, 'P', 'N', 'G'});
  testing::write_bytes((dir / "in" / "notes.bin").string(), {1, 2, 3});
  const std::string base = bin + " translate --threads 1 --batch 2 --input " + testing::quoted(dir / "in");

  const auto result = testing::run_command(base + " --checkpoint " + testing::quoted(dir / "pix2pix") + " --out " +
                                           testing::quoted(dir / "out"));
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.output, Contains("broken.png") && Contains("notes.bin") && Contains("2 files skipped") &&
                                Contains("images/s") && Contains("1 label files copied"));
  const io::Image a = io::read_image((dir / "out" / "cats" / "a.png").string(), 1);
  CHECK((a.width == 13 && a.height == 9));
  const io::Image b = io::read_image((dir / "out" / "dogs" / "deep" / "b.png").string(), 1);
  CHECK((b.width == 40 && b.height == 33));
  const io::Image c = io::read_image((dir / "out" / "dogs" / "c.jpg").string(), 1);  // still a JPEG
  CHECK((c.width == 16 && c.height == 16));
  CHECK(testing::read_lines(dir / "out" / "labels.csv") == std::vector<std::string>{"f,y"});
  CHECK_FALSE(fs::exists(dir / "out" / "dogs" / "broken.png"));
  CHECK_FALSE(fs::exists(dir / "out" / "notes.bin"));
  std::int64_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "out")) {
    files += entry.is_regular_file() && entry.path().filename() != ".synthgen-outputs" ? 1 : 0;
  }
  CHECK(files == 4);  // three images and the labels, no temporaries

  SECTION("--overwrite replaces the outputs of the earlier run, and refuses files it did not write") {
    testing::write_test_png(dir / "in2" / "z.png", 12, 12, 1, 30);
    const std::string again = bin + " translate --threads 1 --input " + testing::quoted(dir / "in2") +
                              " --checkpoint " + testing::quoted(dir / "pix2pix") + " --overwrite --out " +
                              testing::quoted(dir / "out");
    const auto replaced = testing::run_command(again);
    REQUIRE(replaced.exit_code == 0);
    CHECK(testing::visible_entries(dir / "out") == std::vector<std::string>{"z.png"});
    testing::write_bytes((dir / "out" / "keep" / "notes.txt").string(), {'h', 'i'});
    const auto refused = testing::run_command(again);
    CHECK(refused.exit_code == 2);
    CHECK_THAT(testing::final_error_line(refused.output), Contains("notes.txt") && Contains("did not write"));
    CHECK(fs::exists(dir / "out" / "keep" / "notes.txt"));
    CHECK(fs::exists(dir / "out" / "z.png"));
  }

  SECTION("the same checkpoint and input give the same bytes, whatever the batch") {
    const auto again = testing::run_command(
        bin + " translate --threads 1 --batch 1 --input " + testing::quoted(dir / "in") + " --checkpoint " +
        testing::quoted(dir / "pix2pix") + " --out " + testing::quoted(dir / "again"));
    REQUIRE(again.exit_code == 0);
    CHECK(io::read_image((dir / "again" / "cats" / "a.png").string(), 1).pixels == a.pixels);
    CHECK(io::read_image((dir / "again" / "dogs" / "deep" / "b.png").string(), 1).pixels == b.pixels);
  }
  SECTION("cyclegan translates both ways; pix2pix refuses BtoA") {
    for (const std::string direction : {"AtoB", "BtoA"}) {
      const auto cycled =
          testing::run_command(base + " --checkpoint " + testing::quoted(dir / "cyclegan") + " --direction " +
                               direction + " --out " + testing::quoted(dir / direction));
      CHECK(cycled.exit_code == 0);
      CHECK(fs::exists(dir / direction / "dogs" / "deep" / "b.png"));
    }
    CHECK(io::read_image((dir / "AtoB" / "cats" / "a.png").string(), 1).pixels !=
          io::read_image((dir / "BtoA" / "cats" / "a.png").string(), 1).pixels);
    const auto refused = testing::run_command(base + " --checkpoint " + testing::quoted(dir / "pix2pix") +
                                              " --direction BtoA --out " + testing::quoted(dir / "refused"));
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.output, Catch::StartsWith("synthgen: error:") && Contains("A to B only"));
    CHECK(std::count(refused.output.begin(), refused.output.end(), '\n') == 1);
    const auto bad = testing::run_command(base + " --checkpoint " + testing::quoted(dir / "cyclegan") +
                                          " --direction sideways --out " + testing::quoted(dir / "bad"));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.output, Contains("expected AtoB or BtoA"));
  }
  SECTION("sample and eval refuse translation checkpoints; translate refuses other families") {
    const auto sample = testing::run_command(bin + " sample --checkpoint " + testing::quoted(dir / "cyclegan") +
                                             " --num 2 --out " + testing::quoted(dir / "samples"));
    CHECK(sample.exit_code == 2);
    CHECK_THAT(sample.output, Contains("use synthgen translate"));
    eval::SourceOptions options;
    CHECK_THROWS_WITH(eval::open_image_source((dir / "pix2pix").string(), options),
                      Contains("translation (pix2pix) model: use synthgen translate"));
    const auto inside = testing::run_command(base + " --checkpoint " + testing::quoted(dir / "pix2pix") + " --out " +
                                             testing::quoted(dir / "in" / "x"));
    CHECK(inside.exit_code == 2);
    CHECK_THAT(inside.output, Contains("is inside --input"));
  }
  SECTION("a full disk ends with an error and leaves no partial image") {
    const auto full =
        testing::run_command("bash -c \"ulimit -f 0; " + base + " --checkpoint " + testing::quoted(dir / "pix2pix") +
                             " --out " + testing::quoted(dir / "full") + "\"");
    CHECK(full.exit_code == 1);
    CHECK_THAT(full.output, Contains("cannot write"));
    for (const auto& entry : fs::recursive_directory_iterator(dir / "full")) CHECK_FALSE(entry.is_regular_file());
  }
}

TEST_CASE("a translation run resumed half way ends with the same weights", "[translate][checkpoint]") {
  testing::TempDir dir;
  for (int i = 0; i < 3; ++i) {
    testing::write_test_png(dir / "data" / "trainA" / fmt::format("{}.png", i), 20, 20, 1, i);
    testing::write_test_png(dir / "data" / "trainB" / fmt::format("{}.png", i), 20, 20, 1, 10 + i);
  }
  // The pool fills up (capacity 4, 2 fakes a step) before the break, so its swaps are resumed too.
  Config config = tiny_translation_config("cyclegan", (dir / "data").string());
  config.train.steps = 6;
  config.train.lr_schedule = "linear";
  config.train.lr_constant_steps = 2;
  const std::string path = testing::write_config_file(dir, config);
  testing::train_straight_and_in_halves(dir, path, 3, 6);
  const torch::Tensor input = torch::rand({1, 1, 24, 24}) * 2 - 1;
  std::vector<torch::Tensor> outputs;
  for (const std::string run : {"straight", "halves"}) {
    io::LoadedCheckpoint checkpoint = io::load_checkpoint((dir / run / "checkpoints" / "latest.ckpt").string());
    torch::serialize::InputArchive part;
    checkpoint.archive.read("trainer", part);
    torch::NoGradGuard no_grad;
    outputs.push_back(train::load_translator(config, part, torch::kCPU, "BtoA", run).network(input));
  }
  CHECK(torch::equal(outputs[0], outputs[1]));
}
