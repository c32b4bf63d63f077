// The vae's own settings (models/vae.h, train/vae_trainer.h). It also reads model.latent_dim (the
// size of z) and model.channel_mults, which shape its conv stacks with model.base_channels.
#pragma once

#include <cstdint>
#include <string>

#include "synthgen/config/config_schema.h"

namespace synthgen {

struct Config;

struct VaeSettings {
  std::string likelihood = "bernoulli";  // model.likelihood: p(x|z) over pixels in [0, 1]: bernoulli | gaussian
  double kl_beta = 1.0;                  // train.kl_beta: weight of the KL term in the loss (beta-VAE)
  std::int64_t eval_every = 0;           // train.eval_every: steps between test-set ELBO lines (0 = at the end only)
};

// Declares the keys above, bound to `settings`.
void describe_vae_settings(ConfigSchema& schema, VaeSettings& settings);

// The vae keeps no EMA of its weights: refuses train.ema_decay > 0.
void check_vae_settings(const Config& config, ConfigRuleErrors& errors);

}  // namespace synthgen
