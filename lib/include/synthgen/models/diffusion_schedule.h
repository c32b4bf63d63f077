// The forward (noising) process of a diffusion model: the beta schedule, the cumulative products
// alpha_bar, and the conversions between x_0, the noise eps, x_t and the v target. Timestep
// indices run 0..T-1; index t means t + 1 noising steps, so alpha_bar[t] = prod_{s <= t} (1 - beta_s).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace synthgen::models {

// Betas [T] (float64): "linear" is Ho et al.'s 1e-4..0.02 over 1000 steps, its ends scaled by
// 1000 / T for other T (Nichol & Dhariwal 2021); "cosine" makes alpha_bar follow
// cos^2((t/T + s) / (1 + s) * pi/2) with s = 0.008. Both clip each beta at 0.999.
torch::Tensor make_betas(const std::string& schedule, std::int64_t timesteps);

// The schedule as registered float64 buffers, so that a checkpoint holds the exact values it was
// trained with and .to(device) moves them with the network.
class DiffusionScheduleImpl : public torch::nn::Module {
 public:
  DiffusionScheduleImpl(const std::string& schedule, std::int64_t timesteps);

  std::int64_t timesteps() const { return betas.size(0); }
  // alpha_bar[t] for timestep indices t [B] (int64; -1 means "before any noise": 1), shaped
  // [B, 1, 1, 1] in `like`'s dtype so that it broadcasts over images.
  torch::Tensor alpha_bar_at(const torch::Tensor& t, const torch::Tensor& like) const;
  torch::Tensor beta_at(const torch::Tensor& t, const torch::Tensor& like) const;
  // alpha_bar[t] for one timestep index (-1: 1), for samplers that step with host-side scalars.
  double alpha_bar_value(std::int64_t t) const;

  // x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps: q(x_t | x_0) in closed form.
  torch::Tensor noised(const torch::Tensor& x0, const torch::Tensor& t, const torch::Tensor& noise) const;
  // One step of q(x_t | x_{t-1}): sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) eps.
  torch::Tensor noised_one_step(const torch::Tensor& x_previous, const torch::Tensor& t,
                                const torch::Tensor& noise) const;
  // v = sqrt(alpha_bar) eps - sqrt(1 - alpha_bar) x_0 (Salimans & Ho 2022).
  torch::Tensor v_target(const torch::Tensor& x0, const torch::Tensor& t, const torch::Tensor& noise) const;
  torch::Tensor eps_from_v(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& v) const;
  torch::Tensor x0_from_v(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& v) const;
  torch::Tensor x0_from_eps(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& eps) const;
  // The network output (the target named by `prediction`: eps | v) as a noise estimate.
  torch::Tensor eps_from_output(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& output,
                                const std::string& prediction) const;

  torch::Tensor betas;       // [T] float64
  torch::Tensor alpha_bars;  // [T] float64, decreasing, in (0, 1)
};
TORCH_MODULE(DiffusionSchedule);

}  // namespace synthgen::models
