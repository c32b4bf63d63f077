// The ddpm family's own settings (models/ddpm_unet.h, train/ddpm_trainer.h): the U-Net noise
// predictor, its diffusion and the label dropout of classifier-free guidance. It also reads
// model.channel_mults (shared with the vae); model.base_channels and model.num_classes apply too.
#pragma once

#include <string>

#include "synthgen/config/config_schema.h"

namespace synthgen {

struct DdpmSettings {
  int res_blocks = 2;           // model.res_blocks: residual blocks per level going down (one more going up)
  int attention_max_size = 16;  // model.attention_max_size: self-attention at sides of at most this (0 = none)
  double dropout = 0.1;         // model.dropout: dropout probability inside the residual blocks
  int timesteps = 1000;         // model.timesteps: diffusion steps T
  // model.noise_schedule: linear (Ho et al. 2020) | cosine (Nichol & Dhariwal 2021)
  std::string noise_schedule = "linear";
  // model.prediction: the network's target: eps (the noise) | v (Salimans & Ho 2022)
  std::string prediction = "eps";
  double label_dropout = 0.1;  // train.label_dropout: probability of training a label as "no label" (guidance)
};

// Declares the keys above, bound to `settings`.
void describe_ddpm_settings(ConfigSchema& schema, DdpmSettings& settings);

}  // namespace synthgen
