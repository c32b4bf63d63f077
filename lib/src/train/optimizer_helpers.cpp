// The learning-rate schedule and the small helpers every trainer's optimizers share.
#include <cmath>

#include "synthgen/train/trainer.h"

namespace synthgen::train {

double scheduled_learning_rate(const TrainConfig& train, std::int64_t steps_done) {
  if (train.lr_schedule == "linear") {
    const std::int64_t decay_steps = train.steps - train.lr_constant_steps;
    if (steps_done < train.lr_constant_steps || decay_steps <= 0) return train.lr;
    const double decayed = static_cast<double>(steps_done - train.lr_constant_steps) / static_cast<double>(decay_steps);
    return train.lr * std::max(0.0, 1.0 - decayed);
  }
  if (train.lr_schedule != "cosine") return train.lr;
  const double progress = static_cast<double>(steps_done) / static_cast<double>(train.steps);
  return train.lr * 0.5 * (1.0 + std::cos(M_PI * std::min(progress, 1.0)));
}

bool module_is_finite(const torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  torch::Tensor all_finite;  // one flag, read once
  auto check = [&all_finite](const torch::Tensor& tensor) {
    if (!tensor.defined() || !tensor.is_floating_point()) return;
    const torch::Tensor ok = torch::isfinite(tensor).all();
    all_finite = all_finite.defined() ? all_finite.logical_and(ok) : ok;
  };
  for (const auto& param : module.parameters()) check(param);
  for (const auto& buffer : module.buffers()) check(buffer);
  return !all_finite.defined() || all_finite.item<bool>();
}

void set_adam_learning_rate(torch::optim::Adam& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  }
}

torch::optim::AdamOptions adam_options(const TrainConfig& train) {
  return torch::optim::AdamOptions(train.lr).betas({train.betas.at(0), train.betas.at(1)});
}

void set_requires_grad(torch::nn::Module& module, bool requires_grad) {
  for (auto& param : module.parameters()) param.set_requires_grad(requires_grad);
}

}  // namespace synthgen::train
