#include "synthgen/models/diffusion_schedule.h"

#include <fmt/format.h>

#include <cmath>

#include "synthgen/core/error.h"

namespace synthgen::models {

namespace {

constexpr double kMaxBeta = 0.999;  // Nichol & Dhariwal's clip: no step destroys the signal entirely

}  // namespace

torch::Tensor make_betas(const std::string& schedule, std::int64_t timesteps) {
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  if (schedule == "linear") {
    // Below T = 50 the scaled end passes 1, which would make alpha_bar 0 or negative: clip it.
    const double scale = 1000.0 / static_cast<double>(timesteps);
    return torch::linspace(scale * 1e-4, scale * 0.02, timesteps, f64).clamp_max(kMaxBeta);
  }
  if (schedule == "cosine") {
    constexpr double kOffset = 0.008;
    const torch::Tensor steps = torch::arange(timesteps + 1, f64) / static_cast<double>(timesteps);
    const torch::Tensor f = torch::cos((steps + kOffset) / (1.0 + kOffset) * M_PI / 2.0).square();
    const torch::Tensor alpha_bar = f / f[0];
    return (1.0 - alpha_bar.slice(0, 1) / alpha_bar.slice(0, 0, timesteps)).clamp(0.0, kMaxBeta);
  }
  throw ConfigError(fmt::format("model.noise_schedule: expected linear or cosine, got '{}'", schedule));
}

DiffusionScheduleImpl::DiffusionScheduleImpl(const std::string& schedule, std::int64_t timesteps) {
  const torch::Tensor b = make_betas(schedule, timesteps);
  betas = register_buffer("betas", b);
  alpha_bars = register_buffer("alpha_bars", torch::cumprod(1.0 - b, 0));
}

namespace {

torch::Tensor gathered(const torch::Tensor& values, const torch::Tensor& t, const torch::Tensor& like,
                       double before_first) {
  // Index -1 (DDIM's step to x_0) reads `before_first`.
  const torch::Tensor padded = torch::cat({torch::full({1}, before_first, values.options()), values});
  return padded.index_select(0, (t.to(values.device()) + 1).to(torch::kLong))
      .to(like.scalar_type())
      .to(like.device())
      .view({-1, 1, 1, 1});
}

}  // namespace

torch::Tensor DiffusionScheduleImpl::alpha_bar_at(const torch::Tensor& t, const torch::Tensor& like) const {
  return gathered(alpha_bars, t, like, 1.0);
}

double DiffusionScheduleImpl::alpha_bar_value(std::int64_t t) const {
  return t < 0 ? 1.0 : alpha_bars[t].item<double>();
}

torch::Tensor DiffusionScheduleImpl::beta_at(const torch::Tensor& t, const torch::Tensor& like) const {
  return gathered(betas, t, like, 0.0);
}

torch::Tensor DiffusionScheduleImpl::noised(const torch::Tensor& x0, const torch::Tensor& t,
                                            const torch::Tensor& noise) const {
  const torch::Tensor a = alpha_bar_at(t, x0);
  return a.sqrt() * x0 + (1.0 - a).sqrt() * noise;
}

torch::Tensor DiffusionScheduleImpl::noised_one_step(const torch::Tensor& x_previous, const torch::Tensor& t,
                                                     const torch::Tensor& noise) const {
  const torch::Tensor b = beta_at(t, x_previous);
  return (1.0 - b).sqrt() * x_previous + b.sqrt() * noise;
}

torch::Tensor DiffusionScheduleImpl::v_target(const torch::Tensor& x0, const torch::Tensor& t,
                                              const torch::Tensor& noise) const {
  const torch::Tensor a = alpha_bar_at(t, x0);
  return a.sqrt() * noise - (1.0 - a).sqrt() * x0;
}

torch::Tensor DiffusionScheduleImpl::eps_from_v(const torch::Tensor& x_t, const torch::Tensor& t,
                                                const torch::Tensor& v) const {
  const torch::Tensor a = alpha_bar_at(t, x_t);
  return a.sqrt() * v + (1.0 - a).sqrt() * x_t;
}

torch::Tensor DiffusionScheduleImpl::x0_from_v(const torch::Tensor& x_t, const torch::Tensor& t,
                                               const torch::Tensor& v) const {
  const torch::Tensor a = alpha_bar_at(t, x_t);
  return a.sqrt() * x_t - (1.0 - a).sqrt() * v;
}

torch::Tensor DiffusionScheduleImpl::x0_from_eps(const torch::Tensor& x_t, const torch::Tensor& t,
                                                 const torch::Tensor& eps) const {
  const torch::Tensor a = alpha_bar_at(t, x_t);
  return (x_t - (1.0 - a).sqrt() * eps) / a.sqrt();
}

torch::Tensor DiffusionScheduleImpl::eps_from_output(const torch::Tensor& x_t, const torch::Tensor& t,
                                                     const torch::Tensor& output, const std::string& prediction) const {
  return prediction == "v" ? eps_from_v(x_t, t, output) : output;
}

}  // namespace synthgen::models
