// cyclegan's own settings (models/cyclegan.h, train/cyclegan_trainer.h). It also reads train.loss
// (shared with the GANs and pix2pix); model.base_channels and model.norm shape G and D.
#pragma once

#include "synthgen/config/config_schema.h"

namespace synthgen {

struct Config;

struct CycleganSettings {
  int generator_blocks = 9;      // model.generator_blocks: residual blocks in each ResNet generator (6 or 9)
  double cycle_weight = 10.0;    // train.cycle_weight: weight of each cycle-consistency L1 loss
  double identity_weight = 0.5;  // train.identity_weight: identity L1 loss weight, as a fraction of cycle_weight
  int pool_size = 50;            // train.pool_size: generated images kept per domain for D (0 = none)
};

// Declares the keys above, bound to `settings`.
void describe_cyclegan_settings(ConfigSchema& schema, CycleganSettings& settings);

// cyclegan needs two domains (data.source unpaired or paired), and a side its generator can halve
// twice.
void check_cyclegan_settings(const Config& config, ConfigRuleErrors& errors);

}  // namespace synthgen
