// Reverse processes of a trained diffusion model: ancestral DDPM sampling over all T steps (Ho et
// al. 2020, posterior variance beta~_t) and DDIM over any S <= T steps with eta in [0, 1] (Song
// et al. 2021; eta 1 is DDPM-like, eta 0 deterministic) and DPM-Solver++(2M) over any S <= T steps
// (Lu et al. 2022: a second-order multistep solver of the same ODE as DDIM with eta 0, which needs
// fewer steps for the same error), all with classifier-free guidance.
// Every random draw comes from one generator per image seeded by that image's seed, so an image
// does not depend on the batch it is made in.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "synthgen/models/ddpm_unet.h"

namespace synthgen::models {

struct SamplerOptions {
  std::string kind = "ddim";  // ddpm | ddim | dpm++2m
  std::int64_t steps = 50;    // ddpm: must be T; ddim, dpm++2m: 1..T
  double eta = 0.0;           // ddim only (the others need 0): 0 = deterministic
  double guidance = 1.0;      // w: eps_uncond + w (eps_cond - eps_uncond); 0 = unconditional, 1 = conditional
};

// Throws UsageError naming the option when `options` does not fit a model with T steps.
void check_sampler_options(const SamplerOptions& options, std::int64_t timesteps);

// Classifier-free guidance: uncond + w (cond - uncond).
torch::Tensor guided(const torch::Tensor& conditional, const torch::Tensor& unconditional, double w);

// The model's noise estimate for x [B, C, H, W] at step index t with classifier-free guidance w:
// one pass with the labels when w = 1 or the model is unconditional or labels are undefined (then
// "no label"), else conditional and unconditional passes in one batch of 2B, mixed by guided().
torch::Tensor guided_noise(DiffusionModel& model, const torch::Tensor& x, std::int64_t t, const torch::Tensor& labels,
                           double guidance);

// The S timestep indices DDIM visits, from high to low: round((k + 1) T / S) - 1 for k = S-1..0,
// so the first is always T - 1 and S = T gives every step.
std::vector<std::int64_t> ddim_timesteps(std::int64_t timesteps, std::int64_t steps);

// One DPM-Solver++ step (Lu et al. 2022, data prediction, in lambda = log(alpha / sigma)) of x from
// alpha_bar a to a_next > a, given the clipped data prediction x0 at a. With the previous step's
// prediction x0_before (made at a_before) it is the second-order multistep update (2M); undefined,
// the first-order one, which equals DDIM with eta 0. a_next = 1 (no noise left) returns x0.
torch::Tensor dpm_solver_pp_step(const torch::Tensor& x, const torch::Tensor& x0, const torch::Tensor& x0_before,
                                 double a_before, double a, double a_next);

// One standard normal draw per image from generators seeded seed_i: [count, C, H, W] on the CPU.
class PerImageNoise {
 public:
  PerImageNoise(const std::vector<std::uint64_t>& seeds, std::vector<std::int64_t> image_shape);
  torch::Tensor next();

 private:
  std::vector<at::Generator> generators_;
  std::vector<std::int64_t> shape_;
};

// Called after each denoising step with (steps done, total steps).
using StepProgress = std::function<void(std::int64_t, std::int64_t)>;

// Images in [-1, 1] for `seeds` (one per image) and labels (int64 [count] or undefined = none).
// Runs the model in eval mode under the caller's grad mode; the predicted x_0 is clipped to
// [-1, 1] at every step, as in Ho et al.'s code.
torch::Tensor sample_diffusion(DiffusionModel& model, const std::vector<std::uint64_t>& seeds,
                               const torch::Tensor& labels, const SamplerOptions& options, const torch::Device& device,
                               const StepProgress& progress = {});

}  // namespace synthgen::models
