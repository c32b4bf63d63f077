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
#include "synthgen/data/dataset.h"
#include "synthgen/train/metrics_log.h"

namespace synthgen::train {

// Named scalar tensors from one step (detached; still on the device so that reading them, which
// synchronises, happens only when the loop logs).
using StepMetrics = std::vector<std::pair<std::string, torch::Tensor>>;

struct Batch {
  torch::Tensor images;  // float [B, C, H, W] in [-1, 1], on the training device
  torch::Tensor labels;  // int64 [B] on the training device, or undefined
};

// What a family needs to know about the training data before it builds its networks.
struct DataInfo {
  std::int64_t num_classes = 0;          // 0 when the data has no labels
  std::vector<std::string> class_names;  // label i's name
};

// Throws RuntimeError unless a class-conditional model (model.num_classes > 0) gets labelled data
// with exactly that many classes; `model_name` names the model in the message ("GAN", "vae").
void check_data_classes(const ModelConfig& model, const DataInfo& data, const std::string& model_name);

class Trainer {
 public:
  virtual ~Trainer() = default;
  virtual StepMetrics step(const Batch& batch) = 0;
  // Images the next step() takes: train.batch_size, unless the family schedules it (ProGAN's
  // train.batch_sizes per resolution).
  virtual std::int64_t next_batch_size(std::int64_t configured) const { return configured; }
  // Sets the learning rate of every optimizer (the loop's schedule, train.lr_schedule).
  virtual void set_learning_rate(double lr) = 0;
  // Whether the last step() skipped an update because a loss or gradient was not finite (not
  // counting fp16 loss-scale overflows, which the scaler handles).
  virtual bool last_step_nonfinite() const { return nonfinite_; }
  // Whether every weight and buffer (BatchNorm statistics included) is finite: a checkpoint is
  // written only then, so that no checkpoint ever holds inf or NaN.
  virtual bool state_is_finite() const = 0;
  // Whether preview() makes images (generators do; a classifier does not).
  virtual bool has_preview() const { return true; }
  // `count` images in [-1, 1] from inputs fixed by `seed`, so that grids are comparable over time.
  virtual torch::Tensor preview(int count, std::uint64_t seed) = 0;
  // Columns of the preview grid (0 = a square grid): translation families show each example as
  // one row of input | output (| target).
  virtual int preview_columns() const { return 0; }
  // Whether evaluate() measures something on held-out data (the vae's test-set ELBO): the loop
  // then calls it every evaluate_every() steps (0 = only at the end) and at the end, and logs what
  // it returns.
  virtual bool has_evaluation() const { return false; }
  virtual std::int64_t evaluate_every() const { return 0; }
  virtual MetricValues evaluate(const data::ImageDataset& /*held_out*/) { return {}; }
  virtual void save(torch::serialize::OutputArchive& archive) = 0;
  virtual void load(torch::serialize::InputArchive& archive) = 0;
  // Starts a new run from the network weights of another run's checkpoint (its "trainer" part,
  // read from `source`), with fresh optimizers: `synthgen train --init`. Families without a
  // second stage refuse it with UsageError.
  virtual void init_from(torch::serialize::InputArchive& archive, const std::string& source);

 protected:
  bool nonfinite_ = false;
};

// The trainer for config.model.family. Networks are initialised from the current default RNG.
// Throws RuntimeError when the family needs something the data lacks (labels for a classifier).
std::unique_ptr<Trainer> make_trainer(const Config& config, const torch::Device& device, const DataInfo& data);

// The learning rate for the step after `steps_done` steps: train.lr, or with train.lr_schedule
// cosine, train.lr * (1 + cos(pi * steps_done / train.steps)) / 2 (Loshchilov & Hutter 2017,
// without restarts), or with linear, train.lr for train.lr_constant_steps steps and then a straight
// line to 0 at train.steps (CycleGAN's schedule, counted in steps instead of epochs).
double scheduled_learning_rate(const TrainConfig& train, std::int64_t steps_done);

// Whether every parameter and buffer of `module` is finite.
bool module_is_finite(const torch::nn::Module& module);

// Sets the learning rate of every parameter group of an Adam optimizer.
void set_adam_learning_rate(torch::optim::Adam& optimizer, double lr);

// Adam with train.lr and train.betas, as every adversarial trainer builds its optimizers.
torch::optim::AdamOptions adam_options(const TrainConfig& train);

// Turns gradients of all of a module's parameters on or off (D is frozen during G's step).
void set_requires_grad(torch::nn::Module& module, bool requires_grad);

}  // namespace synthgen::train
