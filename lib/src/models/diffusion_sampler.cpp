#include "synthgen/models/diffusion_sampler.h"

#include <fmt/format.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "synthgen/core/error.h"

namespace synthgen::models {

void check_sampler_options(const SamplerOptions& options, std::int64_t timesteps) {
  if (options.kind != "ddpm" && options.kind != "ddim" && options.kind != "dpm++2m") {
    throw UsageError(fmt::format("--sampler: expected ddpm, ddim or dpm++2m, got '{}'", options.kind));
  }
  if (options.kind == "ddpm" && options.steps != timesteps) {
    throw UsageError(
        fmt::format("--steps {}: the ddpm sampler runs all T = {} steps of this model; use "
                    "--sampler ddim for fewer",
                    options.steps, timesteps));
  }
  if (options.steps < 1 || options.steps > timesteps) {
    throw UsageError(fmt::format("--steps: expected 1..{} (the model's T), got {}", timesteps, options.steps));
  }
  if (!(options.eta >= 0.0 && options.eta <= 1.0)) {
    throw UsageError(fmt::format("--eta: expected a number in [0, 1], got {}", options.eta));
  }
  if (options.kind != "ddim" && options.eta != 0.0) {
    throw UsageError(
        fmt::format("--eta {}: only the ddim sampler takes eta; {} sets its own noise", options.eta, options.kind));
  }
  if (!std::isfinite(options.guidance) || options.guidance < 0.0) {
    throw UsageError(fmt::format("--guidance: expected a number >= 0, got {}", options.guidance));
  }
}

torch::Tensor guided(const torch::Tensor& conditional, const torch::Tensor& unconditional, double w) {
  return unconditional + w * (conditional - unconditional);
}

std::vector<std::int64_t> ddim_timesteps(std::int64_t timesteps, std::int64_t steps) {
  std::vector<std::int64_t> result;
  for (std::int64_t k = steps - 1; k >= 0; --k) {
    const double position = static_cast<double>((k + 1) * timesteps) / static_cast<double>(steps);
    result.push_back(static_cast<std::int64_t>(std::llround(position)) - 1);
  }
  return result;
}

torch::Tensor dpm_solver_pp_step(const torch::Tensor& x, const torch::Tensor& x0, const torch::Tensor& x0_before,
                                 double a_before, double a, double a_next) {
  if (a_next >= 1.0) return x0;  // the last step lands on the data prediction itself
  // lambda = log(alpha / sigma), the half log signal-to-noise ratio the solver steps in.
  const auto lambda = [](double alpha_bar) { return 0.5 * std::log(alpha_bar / (1.0 - alpha_bar)); };
  const double h = lambda(a_next) - lambda(a);
  torch::Tensor data = x0;
  if (x0_before.defined()) {
    const double r = (lambda(a) - lambda(a_before)) / h;
    data = (1.0 + 0.5 / r) * x0 - (0.5 / r) * x0_before;
  }
  return std::sqrt((1.0 - a_next) / (1.0 - a)) * x - std::sqrt(a_next) * std::expm1(-h) * data;
}

PerImageNoise::PerImageNoise(const std::vector<std::uint64_t>& seeds, std::vector<std::int64_t> image_shape)
    : shape_(std::move(image_shape)) {
  for (const std::uint64_t seed : seeds) generators_.push_back(at::make_generator<at::CPUGeneratorImpl>(seed));
}

torch::Tensor PerImageNoise::next() {
  std::vector<torch::Tensor> draws;
  draws.reserve(generators_.size());
  for (at::Generator& generator : generators_) draws.push_back(at::randn(shape_, generator));
  return torch::stack(draws);
}

torch::Tensor guided_noise(DiffusionModel& model, const torch::Tensor& x, std::int64_t t, const torch::Tensor& labels,
                           double guidance) {
  const std::int64_t count = x.size(0);
  const torch::Tensor steps = torch::full({count}, t, torch::TensorOptions().dtype(torch::kLong).device(x.device()));
  const DiffusionSchedule& schedule = model->schedule;
  const bool conditional = model->unet->num_classes() > 0 && labels.defined();
  if (conditional && guidance != 1.0) {
    // Conditional and unconditional predictions in one batch of 2B.
    const torch::Tensor none = torch::full_like(labels, model->unet->num_classes());
    const torch::Tensor x2 = torch::cat({x, x});
    const torch::Tensor steps2 = torch::cat({steps, steps});
    const torch::Tensor both = model->unet->forward(x2, steps2, torch::cat({labels, none}));
    const torch::Tensor eps = schedule->eps_from_output(x2, steps2, both.to(x.scalar_type()), model->prediction);
    return guided(eps.slice(0, 0, count), eps.slice(0, count), guidance);
  }
  const torch::Tensor output = model->unet->forward(x, steps, conditional ? labels : torch::Tensor());
  return schedule->eps_from_output(x, steps, output.to(x.scalar_type()), model->prediction);
}

torch::Tensor sample_diffusion(DiffusionModel& model, const std::vector<std::uint64_t>& seeds,
                               const torch::Tensor& labels, const SamplerOptions& options, const torch::Device& device,
                               const StepProgress& progress) {
  const std::int64_t timesteps = model->schedule->timesteps();
  check_sampler_options(options, timesteps);
  const bool was_training = model->is_training();
  model->eval();
  const auto& unet = model->unet->options();
  PerImageNoise noise(seeds, {unet.channels, unet.image_size, unet.image_size});
  torch::Tensor x = noise.next().to(device);
  const torch::Tensor device_labels = labels.defined() ? labels.to(device) : labels;
  const std::vector<std::int64_t> visits = ddim_timesteps(timesteps, options.steps);
  const auto index_options = torch::TensorOptions().dtype(torch::kLong).device(device);
  const DiffusionSchedule& schedule = model->schedule;
  torch::Tensor x0_before;  // dpm++2m: the previous step's data prediction
  double a_before = 0.0;
  for (std::size_t i = 0; i < visits.size(); ++i) {
    const std::int64_t t = visits[i];
    const std::int64_t t_previous = i + 1 < visits.size() ? visits[i + 1] : -1;
    const torch::Tensor now = torch::full({x.size(0)}, t, index_options);
    const torch::Tensor x0 =
        schedule->x0_from_eps(x, now, guided_noise(model, x, t, device_labels, options.guidance)).clamp(-1.0, 1.0);
    if (options.kind == "dpm++2m") {
      const double a = schedule->alpha_bar_value(t);
      x = dpm_solver_pp_step(x, x0, x0_before, a_before, a, schedule->alpha_bar_value(t_previous));
      x0_before = x0;
      a_before = a;
    } else {
      const torch::Tensor before = torch::full({x.size(0)}, t_previous, index_options);
      const torch::Tensor a = schedule->alpha_bar_at(now, x);
      const torch::Tensor a_previous = schedule->alpha_bar_at(before, x);
      // The noise consistent with the clipped x_0, so that the update stays on the data range.
      const torch::Tensor eps = (x - a.sqrt() * x0) / (1.0 - a).sqrt();
      torch::Tensor sigma;
      if (options.kind == "ddpm") {
        // Posterior q(x_{t-1} | x_t, x_0) with variance beta~_t = beta_t (1 - a_prev) / (1 - a).
        const torch::Tensor beta = schedule->beta_at(now, x);
        const torch::Tensor mean =
            (a_previous.sqrt() * beta / (1.0 - a)) * x0 + ((1.0 - beta).sqrt() * (1.0 - a_previous) / (1.0 - a)) * x;
        sigma = (beta * (1.0 - a_previous) / (1.0 - a)).sqrt();
        x = mean;
      } else {
        sigma = options.eta * ((1.0 - a_previous) / (1.0 - a) * (1.0 - a / a_previous)).sqrt();
        x = a_previous.sqrt() * x0 + (1.0 - a_previous - sigma.square()).clamp_min(0.0).sqrt() * eps;
      }
      // Draw every step, even where sigma is 0, so that the random stream does not depend on eta.
      const torch::Tensor z = noise.next().to(device);
      if (t_previous >= 0) x = x + sigma * z;
    }
    if (progress) progress(static_cast<std::int64_t>(i) + 1, static_cast<std::int64_t>(visits.size()));
  }
  model->train(was_training);
  return x.clamp(-1.0, 1.0);
}

}  // namespace synthgen::models
