// What the training loop needs from a model family: one optimisation step on a batch, preview
// images for the sample grids, and its state for checkpoints. The loop itself (data, logging,
// grids, checkpoints, resume, signals) is family-agnostic: see train/train_loop.h.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "synthgen/config/config.h"

namespace synthgen::train {

// Named scalar tensors from one step (detached; still on the device so that reading them, which
// synchronises, happens only when the loop logs).
using StepMetrics = std::vector<std::pair<std::string, torch::Tensor>>;

struct Batch {
  torch::Tensor images;  // float [B, C, H, W] in [-1, 1], on the training device
  torch::Tensor labels;  // int64 [B] on the training device, or undefined
};

class Trainer {
 public:
  virtual ~Trainer() = default;
  virtual StepMetrics step(const Batch& batch) = 0;
  // `count` images in [-1, 1] from inputs fixed by `seed`, so that grids are comparable over time.
  virtual torch::Tensor preview(int count, std::uint64_t seed) = 0;
  virtual void save(torch::serialize::OutputArchive& archive) = 0;
  virtual void load(torch::serialize::InputArchive& archive) = 0;
};

// The trainer for config.model.family. Networks are initialised from the current default RNG.
std::unique_ptr<Trainer> make_trainer(const Config& config, const torch::Device& device);

}  // namespace synthgen::train
