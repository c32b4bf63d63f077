// Training step of the built-in classifier (cross-entropy, Adam), and loading a trained one back
// from its checkpoint for evaluation.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "synthgen/config/config.h"
#include "synthgen/models/classifier.h"
#include "synthgen/train/trainer.h"

namespace synthgen::train {

class ClassifierTrainer : public Trainer {
 public:
  // Throws RuntimeError when the data has no labels.
  ClassifierTrainer(const Config& config, const torch::Device& device, const DataInfo& data);

  // Metrics: loss (cross-entropy), accuracy (of the batch, in training mode).
  StepMetrics step(const Batch& batch) override;
  void set_learning_rate(double lr) override;
  bool state_is_finite() const override { return module_is_finite(*network_); }
  bool has_preview() const override { return false; }
  torch::Tensor preview(int count, std::uint64_t seed) override;
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;

  models::ImageClassifier& network() { return network_; }

 private:
  torch::Device device_;
  std::vector<std::string> class_names_;
  models::ImageClassifier network_{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer_;
};

struct LoadedClassifier {
  models::ImageClassifier network{nullptr};  // in eval mode, on the requested device
  std::vector<std::string> class_names;
  Config config;     // the training run's config
  std::string path;  // the checkpoint file
};

// The classifier of a checkpoint file or run folder. Throws UsageError naming the file when it
// holds another family (a wrong checkpoint given is a usage error, as in every command).
LoadedClassifier load_classifier(const std::string& file_or_run_dir, const torch::Device& device);

}  // namespace synthgen::train
