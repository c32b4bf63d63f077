#include "sampling_flags.h"

namespace synthgen::app {

void add_sampling_flags(CLI::App* cmd, GeneratorOptions& options) {
  cmd->add_option("--truncation", options.truncation, "Truncation trick psi in [0, 1] (GANs); 1 = none")
      ->capture_default_str();
  cmd->add_option("--sampler", options.sampler,
                  "ddpm models: ddpm (ancestral, all T steps) | ddim (default) | dpm++2m (DPM-Solver++, 2nd order)");
  cmd->add_option("--steps", options.steps,
                  "ddpm models: denoising steps (default: T for --sampler ddpm, else min(T, 50))");
  cmd->add_option("--eta", options.eta, "ddpm models, ddim sampler: noise eta in [0, 1] (default 0: deterministic)");
  cmd->add_option("--guidance", options.guidance,
                  "conditional ddpm models: classifier-free guidance w (0 = unconditional, default 1 = conditional)");
  cmd->add_flag(
      "--no-ema", [&options](std::int64_t) { options.use_ema = false; },
      "Sample from the raw generator weights instead of their EMA");
}

}  // namespace synthgen::app
