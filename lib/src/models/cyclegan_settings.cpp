#include "synthgen/models/cyclegan_settings.h"

#include <fmt/format.h>

#include "synthgen/config/config.h"

namespace synthgen {

void describe_cyclegan_settings(ConfigSchema& s, CycleganSettings& cyclegan) {
  s.integer("model.generator_blocks", cyclegan.generator_blocks, {1, 64},
            "cyclegan: residual blocks in each ResNet generator (6 for 128 px, 9 for 256 px)");
  s.real("train.cycle_weight", cyclegan.cycle_weight, kNonNegative,
         "cyclegan: weight of each cycle-consistency L1 loss (lambda)");
  s.real("train.identity_weight", cyclegan.identity_weight, kNonNegative,
         "cyclegan: weight of the identity L1 loss as a fraction of train.cycle_weight (0 = off)");
  s.integer("train.pool_size", cyclegan.pool_size, {0, 100000},
            "cyclegan: generated images kept per domain and shown to D (0 = only the newest)");
}

void check_cyclegan_settings(const Config& c, ConfigRuleErrors& errors) {
  if (c.data.source != "paired" && c.data.source != "unpaired") {
    errors.emplace_back("data.source", fmt::format("cyclegan needs two domains: expected data.source unpaired "
                                                   "(or paired), got {}",
                                                   c.data.source));
  }
  if (c.data.image_size % 4 != 0) {
    errors.emplace_back("data.image_size", fmt::format("cyclegan's generator halves the side twice: "
                                                       "data.image_size {} must be a multiple of 4",
                                                       c.data.image_size));
  }
}

}  // namespace synthgen
