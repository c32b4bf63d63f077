#include "synthgen/train/grad_scaler.h"

namespace synthgen::train {

GradScaler::GradScaler(bool enabled, double initial_scale, int growth_interval)
    : enabled_(enabled), scale_(initial_scale), growth_interval_(growth_interval) {}

void GradScaler::backward(const torch::Tensor& loss) {
  if (enabled_) {
    (loss * scale_).backward();
  } else {
    loss.backward();
  }
}

bool GradScaler::step(torch::optim::Optimizer& optimizer) {
  bool finite = true;
  {
    torch::NoGradGuard no_grad;
    torch::Tensor all_finite;  // one device-side flag, read once: a read per tensor would sync each
    for (const auto& group : optimizer.param_groups()) {
      for (const auto& param : group.params()) {
        if (!param.grad().defined()) continue;
        if (enabled_) param.mutable_grad().mul_(1.0 / scale_);
        const torch::Tensor ok = torch::isfinite(param.grad()).all();
        all_finite = all_finite.defined() ? all_finite.logical_and(ok) : ok;
      }
    }
    if (all_finite.defined()) finite = all_finite.item<bool>();
  }
  // A step with a non-finite gradient is never applied: no weight ever becomes inf or NaN.
  if (!enabled_) {
    if (finite) optimizer.step();
    return finite;
  }
  if (!finite) {
    scale_ /= 2.0;
    good_steps_ = 0;
    return false;
  }
  optimizer.step();
  if (++good_steps_ >= growth_interval_) {
    scale_ *= 2.0;
    good_steps_ = 0;
  }
  return true;
}

void GradScaler::save(torch::serialize::OutputArchive& archive) const {
  archive.write("scale", c10::IValue(scale_));
  archive.write("good_steps", c10::IValue(good_steps_));
}

void GradScaler::load(torch::serialize::InputArchive& archive) {
  c10::IValue value;
  archive.read("scale", value);
  scale_ = value.toDouble();
  archive.read("good_steps", value);
  good_steps_ = value.toInt();
}

}  // namespace synthgen::train
