// pix2pix's own settings (models/pix2pix.h, train/pix2pix_trainer.h). It also reads train.loss
// (shared with the GANs and cyclegan); model.base_channels and model.norm shape G and D.
#pragma once

#include "synthgen/config/config_schema.h"

namespace synthgen {

struct Config;

struct Pix2pixSettings {
  int unet_levels = 0;       // model.unet_levels: U-Net halvings (0 = as many as data.image_size allows, at most 8)
  double l1_weight = 100.0;  // train.l1_weight: weight of the L1 loss between G(A) and B
};

// Declares the keys above, bound to `settings`.
void describe_pix2pix_settings(ConfigSchema& schema, Pix2pixSettings& settings);

// pix2pix learns from pairs (data.source paired), and its U-Net's halvings must divide the crop.
void check_pix2pix_settings(const Config& config, ConfigRuleErrors& errors);

}  // namespace synthgen
