// Training step of the ddpm family (Ho et al. 2020): each image gets a uniform random timestep
// and fresh noise, the U-Net predicts the noise (or v), and the loss is the mean squared error.
// A conditional model sees its labels replaced by "no label" with probability
// train.label_dropout, which is what classifier-free guidance needs at sampling time. The EMA
// of the weights (train.ema_decay) is what grids and `synthgen sample` use.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "synthgen/config/config.h"
#include "synthgen/models/ddpm_unet.h"
#include "synthgen/train/ema.h"
#include "synthgen/train/grad_scaler.h"
#include "synthgen/train/trainer.h"

namespace synthgen::train {

// The per-image MSE target: the noise for "eps", v for "v".
torch::Tensor diffusion_target(models::DiffusionModel& model, const torch::Tensor& x0, const torch::Tensor& t,
                               const torch::Tensor& noise);

// Labels with each one replaced by `num_classes` ("no label") with probability p (default RNG).
torch::Tensor drop_labels(const torch::Tensor& labels, std::int64_t num_classes, double p);

class DdpmTrainer : public Trainer {
 public:
  // Throws RuntimeError when a conditional model meets data without matching labels.
  DdpmTrainer(const Config& config, const torch::Device& device, const DataInfo& data = {});

  // Metrics: loss (the MSE of the prediction).
  StepMetrics step(const Batch& batch) override;
  void set_learning_rate(double lr) override;
  bool state_is_finite() const override;
  // DDIM with min(T, 50) steps and eta 0 from seeds seed.., classes cycled for a conditional model.
  torch::Tensor preview(int count, std::uint64_t seed) override;
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;

  models::DiffusionModel& model() { return model_; }

 private:
  Config config_;
  torch::Device device_;
  torch::ScalarType autocast_dtype_;
  std::vector<std::string> class_names_;
  models::DiffusionModel model_{nullptr};
  models::DiffusionModel ema_model_{nullptr};  // the EMA weights, when train.ema_decay > 0
  std::unique_ptr<ParameterEma> ema_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  GradScaler scaler_;
  std::int64_t steps_ = 0;
};

}  // namespace synthgen::train
