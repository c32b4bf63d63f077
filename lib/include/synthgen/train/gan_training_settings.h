// The GAN trainer's own settings (vanilla, dcgan, progan): D's updates, the penalties on D and the
// extra terms of G's loss, and DiffAugment. train.loss is shared with pix2pix and cyclegan and
// model.latent_dim with the vae, so those two stay in config.h.
#pragma once

#include <string>

#include "synthgen/config/config_schema.h"

namespace synthgen {

struct Config;

struct GanTrainingSettings {
  int n_critic = 1;              // train.n_critic: D (critic) updates per G update
  double gp_weight = 10.0;       // train.gp_weight: wgan-gp: weight of the gradient penalty
  double r1_gamma = 0.0;         // train.r1_gamma: R1 penalty gamma on real images (0 = off)
  double drift = 0.0;            // train.drift: weight of mean(D(x)^2) on real logits (ProGAN: 0.001)
  double mode_seeking = 0.0;     // train.mode_seeking: weight of the mode-seeking term in G's loss (MSGAN; 0 = off)
  std::string augment = "none";  // train.augment: DiffAugment: none or a comma list of translation,cutout,color
};

// Declares the keys above (train.*), bound to `settings`.
void describe_gan_training_settings(ConfigSchema& schema, GanTrainingSettings& settings);

// Refuses train.gp_weight set with a loss other than wgan-gp (R1 and drift go with any loss).
void check_gan_training_settings(const Config& config, ConfigRuleErrors& errors);

}  // namespace synthgen
