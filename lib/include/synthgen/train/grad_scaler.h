// Dynamic loss scaling for fp16 autocast (LibTorch's C++ API has no GradScaler): the loss is
// multiplied by `scale` before backward; before the optimizer step the gradients are divided by
// it and checked; a step with inf/NaN gradients is skipped and the scale halved, and after
// `growth_interval` good steps in a row the scale doubles. Disabled, it is a plain backward and a
// step that is skipped when a gradient is not finite.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::train {

class GradScaler {
 public:
  explicit GradScaler(bool enabled, double initial_scale = 65536.0, int growth_interval = 2000);

  // backward(loss * scale); gradients add up over several calls before one step.
  void backward(const torch::Tensor& loss);
  // Unscale the gradients, check them, step or skip, update the scale. Returns whether the
  // optimizer step was applied (false when a gradient is inf or NaN).
  bool step(torch::optim::Optimizer& optimizer);

  bool enabled() const { return enabled_; }
  double scale() const { return scale_; }

  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  bool enabled_;
  double scale_;
  int growth_interval_;
  std::int64_t good_steps_ = 0;
};

}  // namespace synthgen::train
