#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <numeric>

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/data/batches.h"
#include "synthgen/data/dataset.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/file_io.h"
#include "synthgen/tasks/train_task.h"
#include "synthgen/train/classifier_trainer.h"
#include "test_support.h"

using namespace synthgen;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

Config tiny_classifier_config() {
  Config config;
  config.model.family = "classifier";
  config.model.base_channels = 8;
  config.data.source = "fashion-mnist";
  config.data.image_size = 28;
  config.data.channels = 1;
  config.data.max_images = 512;
  config.train.steps = 40;
  config.train.batch_size = 32;
  config.train.lr = 2e-3;
  config.train.betas = {0.9, 0.999};
  config.train.log_every = 10;
  config.train.sample_every = 0;
  config.train.checkpoint_every = 0;
  config.run.device = "cpu";
  config.run.threads = 1;
  config.run.seed = 3;
  return config;
}

train::DataInfo fashion_info() {
  train::DataInfo info;
  info.class_names = data::fashion_mnist_classes();
  info.num_classes = 10;
  return info;
}

}  // namespace

TEST_CASE("the classifier gives logits, 256 features and probabilities of the right shapes", "[classifier]") {
  torch::manual_seed(0);
  models::ClassifierShape shape;
  shape.channels = 3;
  shape.image_size = 40;
  shape.base_channels = 4;
  shape.num_classes = 5;
  models::ImageClassifier net(shape);
  net->eval();
  const torch::Tensor images = torch::rand({6, 3, 40, 40}) * 2 - 1;
  CHECK(net->forward(images).sizes() == torch::IntArrayRef({6, 5}));
  const torch::Tensor features = net->features(images);
  CHECK(features.sizes() == torch::IntArrayRef({6, models::ImageClassifierImpl::kFeatureDim}));
  CHECK(features.min().item<float>() >= 0.0f);  // after the ReLU
  CHECK(torch::allclose(net->logits_from_features(features), net->forward(images)));
}

TEST_CASE("the classifier's loss goes down on a fixed batch of Fashion-MNIST", "[classifier]") {
  DataConfig data;
  data.max_images = 64;
  const data::ImageDataset fashion = data::load_dataset(data, 1);
  std::vector<std::int64_t> indices(64);
  std::iota(indices.begin(), indices.end(), 0);
  train::Batch batch{data::gather_batch(fashion, indices, {}, 0, 0), data::gather_labels(fashion, indices)};
  torch::manual_seed(1);
  train::ClassifierTrainer trainer(tiny_classifier_config(), torch::kCPU, fashion_info());
  const double first = trainer.step(batch)[0].second.item<double>();
  double last = first;
  for (int i = 0; i < 30; ++i) last = trainer.step(batch)[0].second.item<double>();
  CHECK(last < 0.3 * first);
}

TEST_CASE("a trained classifier loads back from its run and gives bit-identical outputs", "[classifier]") {
  testing::TempDir dir;
  const Config config = tiny_classifier_config();
  const std::string config_path = testing::write_config_file(dir, config, "classifier.yaml");
  TrainRequest request;
  request.config_path = config_path;
  request.out_dir = (dir / "run").string();
  REQUIRE(run_train(request) == 0);
  // A classifier run has no sample grids, only checkpoints and metrics.
  CHECK(fs::is_empty(dir / "run" / "samples"));
  CHECK(fs::exists(dir / "run" / "metrics.jsonl"));

  train::LoadedClassifier a = train::load_classifier((dir / "run").string(), torch::kCPU);
  train::LoadedClassifier b =
      train::load_classifier((dir / "run" / "checkpoints" / "latest.ckpt").string(), torch::kCPU);
  CHECK(a.class_names == data::fashion_mnist_classes());
  const torch::Tensor images = torch::rand({5, 1, 28, 28}) * 2 - 1;
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(a.network->forward(images), b.network->forward(images)));

  // The same weights as the trainer that wrote them.
  io::LoadedCheckpoint checkpoint = io::load_checkpoint(a.path);
  torch::serialize::InputArchive part;
  checkpoint.archive.read("trainer", part);
  train::ClassifierTrainer trainer(config, torch::kCPU, fashion_info());
  trainer.load(part);
  trainer.network()->eval();
  CHECK(torch::equal(trainer.network()->forward(images), a.network->forward(images)));
}

TEST_CASE("a classifier refuses unlabelled data and a generator checkpoint", "[classifier]") {
  train::DataInfo unlabelled;
  CHECK_THROWS_WITH(train::ClassifierTrainer(tiny_classifier_config(), torch::kCPU, unlabelled),
                    Contains("needs labelled data"));

  testing::TempDir dir;
  Config gan = testing::tiny_config("unused");
  io::CheckpointMeta meta;
  meta.family = "dcgan";
  meta.config_yaml = dump_config(gan);
  io::save_checkpoint((dir / "g.ckpt").string(), meta, [](torch::serialize::OutputArchive&) {});
  CHECK_THROWS_WITH(train::load_classifier((dir / "g.ckpt").string(), torch::kCPU),
                    Contains("holds a dcgan model, expected a classifier"));
}

TEST_CASE("the cosine schedule starts at train.lr and decays to zero", "[classifier]") {
  TrainConfig train;
  train.lr = 0.01;
  train.steps = 100;
  CHECK(train::scheduled_learning_rate(train, 50) == 0.01);
  train.lr_schedule = "cosine";
  CHECK(train::scheduled_learning_rate(train, 0) == Approx(0.01));
  CHECK(train::scheduled_learning_rate(train, 50) == Approx(0.005));
  CHECK(train::scheduled_learning_rate(train, 100) == Approx(0.0).margin(1e-15));
}
