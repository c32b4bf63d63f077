#include "synthgen/models/ddpm_settings.h"

namespace synthgen {

void describe_ddpm_settings(ConfigSchema& s, DdpmSettings& ddpm) {
  s.integer("model.res_blocks", ddpm.res_blocks, {1, 16}, "ddpm: residual blocks per U-Net level going down");
  s.integer("model.attention_max_size", ddpm.attention_max_size, {0, 4096},
            "ddpm: self-attention at resolutions whose side is at most this (0 = none)");
  s.real("model.dropout", ddpm.dropout, kUnitInterval, "ddpm: dropout inside residual blocks");
  s.integer("model.timesteps", ddpm.timesteps, {2, 100000}, "ddpm: diffusion steps T");
  s.choice("model.noise_schedule", ddpm.noise_schedule, {"linear", "cosine"},
           "ddpm: beta schedule: linear (Ho et al. 2020) | cosine (Nichol & Dhariwal 2021)");
  s.choice("model.prediction", ddpm.prediction, {"eps", "v"}, "ddpm: network target: eps (noise) | v");
  s.real("train.label_dropout", ddpm.label_dropout, kUnitInterval,
         "ddpm: probability of replacing a label by 'no label' (classifier-free guidance)");
}

}  // namespace synthgen
