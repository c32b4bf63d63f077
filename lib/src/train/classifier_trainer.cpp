#include "synthgen/train/classifier_trainer.h"

#include <fmt/format.h>

#include <cmath>

#include "archive_parts.h"

#include "synthgen/config/load.h"
#include "synthgen/core/error.h"
#include "synthgen/core/text.h"
#include "synthgen/io/checkpoint.h"
#include "synthgen/io/strict_weights.h"

namespace synthgen::train {
namespace {

models::ClassifierShape shape_of(const Config& config, std::int64_t num_classes) {
  models::ClassifierShape shape;
  shape.channels = config.data.channels;
  shape.image_size = config.data.image_size;
  shape.base_channels = config.model.base_channels;
  shape.num_classes = num_classes;
  return shape;
}

}  // namespace

ClassifierTrainer::ClassifierTrainer(const Config& config, const torch::Device& device, const DataInfo& data)
    : device_(device), class_names_(data.class_names) {
  if (data.num_classes < 2) {
    throw RuntimeError(fmt::format(
        "model.family classifier needs labelled data with at least 2 classes; data.source {} {}", config.data.source,
        data.num_classes == 0 ? "has no labels (a folder needs one sub-folder per class)" : "has only one class"));
  }
  network_ = models::ImageClassifier(shape_of(config, data.num_classes));
  network_->to(device_);
  optimizer_ = std::make_unique<torch::optim::Adam>(
      network_->parameters(),
      torch::optim::AdamOptions(config.train.lr).betas({config.train.betas.at(0), config.train.betas.at(1)}));
}

StepMetrics ClassifierTrainer::step(const Batch& batch) {
  network_->train();
  const torch::Tensor logits = network_->forward(batch.images);
  const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, batch.labels);
  optimizer_->zero_grad();
  loss.backward();
  nonfinite_ = !std::isfinite(loss.item<double>());
  if (!nonfinite_) optimizer_->step();
  const torch::Tensor correct = logits.detach().argmax(1).eq(batch.labels).to(torch::kFloat).mean();
  return {{"loss", loss.detach()}, {"accuracy", correct}};
}

void ClassifierTrainer::set_learning_rate(double lr) { set_adam_learning_rate(*optimizer_, lr); }

torch::Tensor ClassifierTrainer::preview(int, std::uint64_t) {
  throw RuntimeError("a classifier makes no images to preview");
}

void ClassifierTrainer::save(torch::serialize::OutputArchive& archive) {
  archive.write("num_classes", c10::IValue(network_->shape().num_classes));
  archive.write("class_names", c10::IValue(join_lines(class_names_)));
  write_part(archive, "network", [&](auto& part) { network_->save(part); });
  write_part(archive, "optimizer", [&](auto& part) { optimizer_->save(part); });
}

void ClassifierTrainer::load(torch::serialize::InputArchive& archive) {
  io::read_weights_part(archive, "network", *network_);
  read_part(archive, "optimizer", [&](auto& part) { optimizer_->load(part); });
  network_->to(device_);
}

LoadedClassifier load_classifier(const std::string& file_or_run_dir, const torch::Device& device) {
  LoadedClassifier loaded;
  loaded.path = io::resolve_checkpoint_path(file_or_run_dir);
  io::LoadedCheckpoint checkpoint = io::load_checkpoint(loaded.path, device);
  if (checkpoint.meta.family != "classifier") {
    throw UsageError(fmt::format("'{}' holds a {} model, expected a classifier (model.family: classifier)", loaded.path,
                                 checkpoint.meta.family));
  }
  loaded.config = load_config_text(checkpoint.meta.config_yaml, loaded.path);
  torch::serialize::InputArchive trainer_part;
  checkpoint.archive.read("trainer", trainer_part);
  c10::IValue value;
  trainer_part.read("num_classes", value);
  const std::int64_t num_classes = value.toInt();
  trainer_part.read("class_names", value);
  loaded.class_names = split_lines(value.toStringRef());
  loaded.network = models::ImageClassifier(shape_of(loaded.config, num_classes));
  io::read_weights_part(trainer_part, "network", *loaded.network);
  loaded.network->to(device);
  loaded.network->eval();
  return loaded;
}

}  // namespace synthgen::train
