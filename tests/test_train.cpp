#include <fmt/format.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_codec.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/tasks/sample_task.h"
#include "synthgen/tasks/train_task.h"
#include "synthgen/train/gan_trainer.h"
#include "synthgen/train/grad_scaler.h"
#include "test_support.h"

using namespace synthgen;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

// 24 small RGB images in two class folders.
void make_image_folder(const fs::path& root) {
  for (int i = 0; i < 24; ++i) {
    testing::write_test_png(root / (i % 2 ? "circles" : "blobs") / fmt::format("{:03d}.png", i), 16, 16, 3, i);
  }
}

// Trains `config` into dir/run_name in one session; REQUIREs success.
void train_run(const testing::TempDir& dir, const Config& config, const std::string& run_name) {
  TrainRequest request;
  request.config_path = testing::write_config_file(dir, config);
  request.out_dir = (dir / run_name).string();
  REQUIRE(run_train(request) == 0);
}

// Both trainers' networks and optimizer states, flattened to named tensors.
std::vector<std::pair<std::string, torch::Tensor>> trainer_tensors(const Config& config,
                                                                   const std::string& checkpoint) {
  io::LoadedCheckpoint loaded = io::load_checkpoint(checkpoint);
  torch::serialize::InputArchive part;
  loaded.archive.read("trainer", part);
  train::GanTrainer trainer(config, torch::kCPU);
  trainer.load(part);
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& item : trainer.generator().named_parameters()) tensors.emplace_back("G." + item.key(), item.value());
  for (const auto& item : trainer.generator().named_buffers()) tensors.emplace_back("G." + item.key(), item.value());
  for (const auto& item : trainer.discriminator().named_parameters())
    tensors.emplace_back("D." + item.key(), item.value());
  for (const auto& item : trainer.discriminator().named_buffers())
    tensors.emplace_back("D." + item.key(), item.value());
  // The EMA weights that samples use, when the run keeps them.
  torch::serialize::InputArchive again;
  io::LoadedCheckpoint reloaded = io::load_checkpoint(checkpoint);
  reloaded.archive.read("trainer", again);
  const auto sampled = train::load_generator(config, again, torch::kCPU).network;
  for (const auto& item : sampled->named_parameters()) tensors.emplace_back("G_sampled." + item.key(), item.value());
  torch::Tensor rng;
  loaded.archive.read("state/rng_cpu", rng);
  tensors.emplace_back("rng_cpu", rng);
  return tensors;
}

}  // namespace

TEST_CASE("a training run fills its run folder", "[train]") {
  testing::TempDir dir;
  make_image_folder(dir / "images");
  const Config config = testing::tiny_config((dir / "images").string());
  TrainRequest request;
  request.config_path = testing::write_config_file(dir, config);
  request.out_dir = (dir / "run").string();
  REQUIRE(run_train(request) == 0);

  const fs::path run = dir / "run";
  // The resolved config is itself a valid config, equal to the one given.
  CHECK(changed_keys(load_config((run / "config.yaml").string()), config).empty());
  CHECK(testing::read_lines(run / "labels.txt") == std::vector<std::string>{"blobs", "circles"});
  CHECK(fs::exists(run / "checkpoints" / "step_00000003.ckpt"));
  CHECK(fs::exists(run / "checkpoints" / "step_00000006.ckpt"));
  CHECK(fs::exists(run / "samples" / "step_00000003.png"));
  CHECK(fs::exists(run / "samples" / "step_00000006.png"));
  CHECK(io::read_checkpoint_meta((run / "checkpoints" / "latest.ckpt").string()).step == 6);

  const std::vector<std::string> metrics = testing::read_lines(run / "metrics.jsonl");
  REQUIRE(metrics.size() == 3);  // steps 2, 4, 6
  CHECK(metrics[0].rfind("{\"step\":2,\"loss_d\":", 0) == 0);
  for (const char* key : {"loss_g", "d_real", "d_fake", "images_per_s", "elapsed_s"}) {
    CHECK(metrics[2].find(key) != std::string::npos);
  }

  SECTION("the same --out is refused rather than overwritten") {
    CHECK_THROWS_WITH(run_train(request), Catch::Contains("--resume"));
  }
  SECTION("resuming a finished run does nothing") {
    TrainRequest resume;
    resume.resume_dir = run.string();
    CHECK(run_train(resume) == 0);
    CHECK(testing::read_lines(run / "metrics.jsonl").size() == 3);
  }
  SECTION("resume refuses to change what is trained") {
    TrainRequest resume;
    resume.resume_dir = run.string();
    resume.overrides = {"model.base_channels=16"};
    CHECK_THROWS_WITH(run_train(resume), Catch::Contains("model.base_channels"));
  }
}

TEST_CASE("a run trained with data.pad gives its images back without the border", "[train]") {
  testing::TempDir dir;
  make_image_folder(dir / "images");
  Config config = testing::tiny_config((dir / "images").string());
  config.data.pad = 2;  // 16x16 images with 12x12 content
  TrainRequest request;
  request.config_path = testing::write_config_file(dir, config);
  request.out_dir = (dir / "run").string();
  REQUIRE(run_train(request) == 0);
  // The preview grid: 2 x 2 images of 12 pixels with 2-pixel gaps.
  const io::Image grid = io::read_image((dir / "run" / "samples" / "step_00000006.png").string(), 3);
  CHECK(grid.width == 2 * 12 + 3 * 2);

  SampleRequest sample;
  sample.checkpoint = (dir / "run").string();
  sample.num = 2;
  sample.out_dir = (dir / "samples").string();
  sample.threads = 1;
  REQUIRE(run_sample(sample) == 0);
  const io::Image first = io::read_image((dir / "samples" / "000000.png").string(), 3);
  REQUIRE(first.width == 12);
  REQUIRE(first.height == 12);
  // The file is the centre of the generator's 16x16 output for seed 0.
  io::LoadedCheckpoint loaded = io::load_checkpoint((dir / "run" / "checkpoints" / "latest.ckpt").string());
  torch::serialize::InputArchive part;
  loaded.archive.read("trainer", part);
  const train::LoadedGenerator generator = train::load_generator(config, part, torch::kCPU);
  torch::NoGradGuard no_grad;
  const torch::Tensor z = train::latents_for_seeds(0, 1, config.model.latent_dim, torch::kCPU);
  const torch::Tensor full = io::to_uint8_images(train::generate(*generator.network, z, {}, 16, 1.0))[0];
  REQUIRE(full.sizes() == torch::IntArrayRef({3, 16, 16}));
  const torch::Tensor centre = full.narrow(1, 2, 12).narrow(2, 2, 12).to(torch::kInt);
  const torch::Tensor written = io::image_to_tensor(first).to(torch::kInt);
  CHECK((centre - written).abs().max().item<int>() <= 1);  // the sampler fuses BatchNorm into the convolutions
}

TEST_CASE("stopping halfway and resuming gives bit-identical weights", "[train]") {
  testing::TempDir dir;
  make_image_folder(dir / "images");
  Config config = testing::tiny_config((dir / "images").string());
  config.data.random_flip = true;
  const std::string config_path = testing::write_config_file(dir, config);

  testing::train_straight_and_in_halves(dir, config_path, 3, 6);

  const auto expected = trainer_tensors(config, (dir / "straight" / "checkpoints" / "latest.ckpt").string());
  const auto actual = trainer_tensors(config, (dir / "halves" / "checkpoints" / "latest.ckpt").string());
  REQUIRE(expected.size() == actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(expected[i].first);
    CHECK(torch::equal(expected[i].second, actual[i].second));
  }
  // metrics.jsonl has one line per logged step across both sessions: 2, 3 (the end of the first
  // session) then 4 and 6.
  std::vector<std::int64_t> steps;
  for (const std::string& line : testing::read_lines(dir / "halves" / "metrics.jsonl")) {
    steps.push_back(std::stoll(line.substr(line.find(':') + 1)));
  }
  CHECK(steps == std::vector<std::int64_t>{2, 3, 4, 6});
}

TEST_CASE("train refuses bad requests before doing any work", "[train]") {
  testing::TempDir dir;
  TrainRequest neither;
  CHECK_THROWS_AS(run_train(neither), UsageError);
  TrainRequest both;
  both.config_path = "a.yaml";
  both.resume_dir = "b";
  CHECK_THROWS_WITH(run_train(both), Catch::Contains("exclude"));
  TrainRequest no_checkpoint;
  no_checkpoint.resume_dir = dir.str();
  CHECK_THROWS_WITH(run_train(no_checkpoint), Catch::Contains("latest.ckpt"));
  TrainRequest empty_folder;
  fs::create_directories(dir / "empty");
  Config config = testing::tiny_config((dir / "empty").string());
  empty_folder.config_path = testing::write_config_file(dir, config);
  empty_folder.out_dir = (dir / "run").string();
  CHECK_THROWS_WITH(run_train(empty_folder), Catch::Contains("empty"));
  TrainRequest inside_data;
  make_image_folder(dir / "images");
  inside_data.config_path = testing::write_config_file(dir, testing::tiny_config((dir / "images").string()));
  inside_data.out_dir = (dir / "images" / "runs" / "one").string();
  CHECK_THROWS_WITH(run_train(inside_data), Catch::Contains("is inside data.path"));
  CHECK_FALSE(fs::exists(dir / "images" / "runs"));
}

TEST_CASE("train.keep_last keeps only the newest step checkpoints", "[train]") {
  testing::TempDir dir;
  make_image_folder(dir / "images");
  Config config = testing::tiny_config((dir / "images").string());
  config.train.checkpoint_every = 1;
  config.train.keep_last = 2;
  TrainRequest request;
  request.config_path = testing::write_config_file(dir, config);
  request.out_dir = (dir / "run").string();
  REQUIRE(run_train(request) == 0);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir / "run" / "checkpoints")) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"latest.ckpt", "step_00000005.ckpt", "step_00000006.ckpt"});
}

TEST_CASE("a run whose losses stop being finite skips those steps, then stops with finite checkpoints", "[train]") {
  testing::TempDir dir;
  make_image_folder(dir / "images");
  Config config = testing::tiny_config((dir / "images").string());
  config.train.checkpoint_every = 1;
  train_run(dir, config, "run");  // finite checkpoints at steps 1..6
  // The first updates at this rate blow the weights up; later gradients are NaN.
  TrainRequest request;
  request.resume_dir = (dir / "run").string();
  request.overrides = {"train.lr=1e30", "train.steps=40", "train.max_nonfinite_steps=3"};
  CHECK_THROWS_WITH(run_train(request), Contains("3 steps in a row had a non-finite loss or gradient"));
  int checkpoints = 0;
  for (const auto& entry : fs::directory_iterator(dir / "run" / "checkpoints")) {
    ++checkpoints;
    INFO(entry.path().string());
    for (const auto& [name, tensor] : trainer_tensors(config, entry.path().string())) {
      INFO(name);
      if (tensor.is_floating_point()) CHECK(torch::isfinite(tensor).all().item<bool>());
    }
  }
  CHECK(checkpoints >= 7);  // latest.ckpt and steps 1..6 at least
}

TEST_CASE("the unscaled optimizer step is skipped when a gradient is not finite", "[train]") {
  torch::Tensor weight = torch::ones({3}, torch::requires_grad());
  torch::optim::SGD optimizer({weight}, torch::optim::SGDOptions(0.1));
  train::GradScaler scaler(/*enabled=*/false);
  scaler.backward((weight * torch::tensor({1.0f, std::numeric_limits<float>::quiet_NaN(), 1.0f})).sum());
  CHECK_FALSE(scaler.step(optimizer));
  CHECK(torch::equal(weight.detach(), torch::ones({3})));
  optimizer.zero_grad();
  scaler.backward(weight.sum());
  CHECK(scaler.step(optimizer));
  CHECK(weight[0].item<float>() == Approx(0.9f));
}

TEST_CASE("a run killed with SIGKILL after a checkpoint resumes to bit-identical weights", "[train][slow]") {
  testing::TempDir dir;
  make_image_folder(dir / "images");
  Config config = testing::tiny_config((dir / "images").string());
  config.train.steps = 120;
  config.train.log_every = 10;
  config.train.sample_every = 0;
  config.train.checkpoint_every = 7;
  config.train.ema_decay = 0.9;
  config.gan.augment = "translation";
  const std::string config_path = testing::write_config_file(dir, config);

  TrainRequest straight;
  straight.config_path = config_path;
  straight.out_dir = (dir / "straight").string();
  REQUIRE(run_train(straight) == 0);

  // The killed run: SIGKILL as soon as the second kept checkpoint exists, wherever the process is
  // then (often inside the next save, leaving a temporary file behind).
  const fs::path killed = dir / "killed";
  const std::string script = fmt::format(
      "'{}' train --config '{}' --out '{}' >/dev/null 2>&1 & pid=$!; "
      "for i in $(seq 3000); do [ -f '{}' ] && break; sleep 0.005; done; kill -9 $pid; wait $pid",
      testing::synthgen_binary(), config_path, killed.string(),
      (killed / "checkpoints" / "step_00000014.ckpt").string());
  const std::string script_path = (dir / "kill.sh").string();
  io::write_file_atomic(script_path, script.data(), script.size(), false);
  testing::run_command("bash '" + script_path + "'");
  REQUIRE(fs::exists(killed / "checkpoints" / "latest.ckpt"));
  TrainRequest resume;
  resume.resume_dir = killed.string();
  REQUIRE(run_train(resume) == 0);
  for (const auto& entry : fs::directory_iterator(killed / "checkpoints")) {
    INFO(entry.path().string());
    CHECK(entry.path().extension() == ".ckpt");  // the killed save's temporary file is gone
  }

  const auto expected = trainer_tensors(config, (dir / "straight" / "checkpoints" / "latest.ckpt").string());
  const auto actual = trainer_tensors(config, (killed / "checkpoints" / "latest.ckpt").string());
  REQUIRE(expected.size() == actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(expected[i].first);
    CHECK(torch::equal(expected[i].second, actual[i].second));
  }
}

TEST_CASE("a full disk while saving is a clear error and the previous checkpoint stays loadable", "[train]") {
  testing::TempDir dir;
  make_image_folder(dir / "images");
  Config config = testing::tiny_config((dir / "images").string());
  config.train.steps = 3;
  TrainRequest request;
  request.config_path = testing::write_config_file(dir, config);
  request.out_dir = (dir / "run").string();
  REQUIRE(run_train(request) == 0);
  const fs::path latest = dir / "run" / "checkpoints" / "latest.ckpt";
  // A file-size limit of half a checkpoint (ulimit -f counts 1 KiB blocks) fails the next save
  // the way a full disk does.
  const std::uintmax_t half_blocks = fs::file_size(latest) / 2048;
  const testing::CommandResult result =
      testing::run_command(fmt::format("bash -c \"ulimit -f {}; '{}' train --resume '{}' --set train.steps=6\"",
                                       half_blocks, testing::synthgen_binary(), (dir / "run").string()));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("synthgen: error: ") && Contains("step_00000006.ckpt"));
  CHECK(io::read_checkpoint_meta(latest.string()).step == 3);
  for (const auto& entry : fs::directory_iterator(dir / "run" / "checkpoints")) {
    INFO(entry.path().string());
    CHECK(entry.path().extension() == ".ckpt");  // no temporary file left behind
  }
}

TEST_CASE("a train that fails before its first checkpoint leaves no run folder behind", "[train]") {
  testing::TempDir dir;
  make_image_folder(dir / "images");
  Config config = testing::tiny_config((dir / "images").string());
  TrainRequest request;
  request.out_dir = (dir / "runs" / "one").string();

  SECTION("an error found in the data: the folders it made go, and the same --out starts again") {
    config.model.num_classes = 5;  // the folder has 2 classes
    request.config_path = testing::write_config_file(dir, config);
    CHECK_THROWS_WITH(run_train(request), Contains("model.num_classes is 5"));
    CHECK_FALSE(fs::exists(dir / "runs"));
    config.model.num_classes = 2;
    request.config_path = testing::write_config_file(dir, config);
    CHECK(run_train(request) == 0);
  }
  SECTION("a missing data.path is found before anything is made") {
    config.data.path = (dir / "no such images").string();
    request.config_path = testing::write_config_file(dir, config);
    CHECK_THROWS_WITH(run_train(request), Contains("no such images") && Contains("data.path"));
    CHECK_FALSE(fs::exists(dir / "runs"));
  }
  SECTION("an empty --out folder that existed stays, emptied") {
    config.model.num_classes = 5;
    request.config_path = testing::write_config_file(dir, config);
    fs::create_directories(dir / "given");
    request.out_dir = (dir / "given").string();
    CHECK_THROWS_AS(run_train(request), RuntimeError);
    CHECK(fs::is_directory(dir / "given"));
    CHECK(fs::is_empty(dir / "given"));
  }
  SECTION("a folder left without a checkpoint (a killed start) is not sent to --resume") {
    request.config_path = testing::write_config_file(dir, config);
    std::ofstream(dir.file("leftover/config.yaml")) << "model: {}\n";
    request.out_dir = (dir / "leftover").string();
    CHECK_THROWS_WITH(run_train(request), Contains("holds no checkpoint to continue") && !Contains("--resume"));
  }
  SECTION("a non-finite stop before the first checkpoint says to start again, and the folder goes") {
    config.train.lr = 1e30;
    config.train.steps = 40;
    config.train.checkpoint_every = 0;
    config.train.sample_every = 0;
    config.train.max_nonfinite_steps = 3;
    request.config_path = testing::write_config_file(dir, config);
    CHECK_THROWS_WITH(run_train(request), Contains("no checkpoint was saved yet") &&
                                              Contains("start the run again with a lower train.lr") &&
                                              !Contains("--resume"));
    CHECK_FALSE(fs::exists(dir / "runs"));
  }
}

TEST_CASE("after a non-finite stop, --resume continues with a lower train.lr", "[train]") {
  testing::TempDir dir;
  make_image_folder(dir / "images");
  train_run(dir, testing::tiny_config((dir / "images").string()), "run");  // 6 steps, checkpoint at 6

  // A learning rate that blows the weights up; no save in this session (checkpoint_every 1000).
  TrainRequest diverge;
  diverge.resume_dir = (dir / "run").string();
  diverge.overrides = {"train.lr=1e30", "train.steps=40", "train.checkpoint_every=1000", "train.max_nonfinite_steps=3",
                       "train.sample_every=0"};
  CHECK_THROWS_WITH(run_train(diverge),
                    Contains("holds finite weights") &&
                        Contains("synthgen train --resume " + (dir / "run").string() + " --set train.lr=1e+29"));
  CHECK(fs::exists(dir / "run" / "checkpoints" / "latest.ckpt"));

  TrainRequest resume;
  resume.resume_dir = (dir / "run").string();
  resume.overrides = {"train.lr=1e-4", "train.lr_schedule=linear", "train.lr_constant_steps=7", "train.steps=8"};
  REQUIRE(run_train(resume) == 0);
  const io::LoadedCheckpoint latest = io::load_checkpoint((dir / "run" / "checkpoints" / "latest.ckpt").string());
  CHECK(latest.meta.step == 8);
  const Config resumed = load_config((dir / "run" / "config.yaml").string());
  CHECK(resumed.train.lr == 1e-4);
  CHECK(resumed.train.lr_schedule == "linear");

  TrainRequest other_data;
  other_data.resume_dir = (dir / "run").string();
  other_data.overrides = {"train.batch_size=4"};
  CHECK_THROWS_WITH(run_train(other_data), Contains("--resume cannot change train.batch_size"));
}

TEST_CASE("train --resume refuses --out instead of ignoring it", "[train]") {
  TrainRequest request;
  request.resume_dir = "runs/a";
  request.out_dir = "runs/b";
  CHECK_THROWS_AS(run_train(request), UsageError);
  CHECK_THROWS_WITH(run_train(request), Contains("--out and --resume exclude each other") && Contains("runs/a"));
}

TEST_CASE("sample --class takes a class name from the run's labels.txt", "[train]") {
  testing::TempDir dir;
  make_image_folder(dir / "images");  // blobs (class 0) and circles (class 1)
  Config config = testing::tiny_config((dir / "images").string());
  config.model.num_classes = 2;
  train_run(dir, config, "run");
  REQUIRE(testing::read_lines(dir / "run" / "labels.txt") == std::vector<std::string>{"blobs", "circles"});

  SampleRequest request;
  request.checkpoint = (dir / "run").string();
  request.num = 3;
  request.threads = 1;
  request.classes = "circles";
  request.out_dir = (dir / "circles").string();
  REQUIRE(run_sample(request) == 0);
  const std::vector<std::string> manifest = testing::read_lines(dir / "circles" / "manifest.csv");
  REQUIRE(manifest.size() == 4);
  for (std::size_t i = 1; i < manifest.size(); ++i) CHECK_THAT(manifest[i], Catch::EndsWith(",1,circles"));

  request.classes = "squares";
  request.out_dir = (dir / "squares").string();
  CHECK_THROWS_WITH(run_sample(request), Contains("--class 'squares'") && Contains("blobs, circles"));

  SECTION("--grid makes the folders it is written into, as --out does") {
    request.classes = "0";
    request.out_dir.clear();
    request.grid_path = (dir / "new" / "grids" / "g.png").string();
    REQUIRE(run_sample(request) == 0);
    CHECK(fs::exists(dir / "new" / "grids" / "g.png"));
  }
}
