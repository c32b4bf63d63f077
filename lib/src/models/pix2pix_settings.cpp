#include "synthgen/models/pix2pix_settings.h"

#include <fmt/format.h>

#include "synthgen/config/config.h"

namespace synthgen {

void describe_pix2pix_settings(ConfigSchema& s, Pix2pixSettings& pix2pix) {
  s.integer("model.unet_levels", pix2pix.unet_levels, {0, 12},
            "pix2pix: U-Net halvings (0 = as many as data.image_size allows, at most 8)");
  s.real("train.l1_weight", pix2pix.l1_weight, kNonNegative, "pix2pix: weight of the L1 loss between G(A) and B");
}

void check_pix2pix_settings(const Config& c, ConfigRuleErrors& errors) {
  if (c.data.source != "paired") {
    errors.emplace_back("data.source",
                        fmt::format("pix2pix learns from pairs: expected data.source paired, got {}", c.data.source));
  }
  // Every U-Net level halves the side: the training crop must divide evenly down to 1 x 1 or more.
  const int levels = c.pix2pix.unet_levels;
  if (levels > 0 && (c.data.image_size % (1 << levels) != 0)) {
    errors.emplace_back("model.unet_levels",
                        fmt::format("model.unet_levels {} halves the side {} times: data.image_size {} is not a "
                                    "multiple of {}",
                                    levels, levels, c.data.image_size, 1 << levels));
  }
  if (levels == 0 && c.data.image_size % 2 != 0) {
    errors.emplace_back(
        "data.image_size",
        fmt::format("pix2pix's U-Net halves the side: data.image_size {} must be even", c.data.image_size));
  }
}

}  // namespace synthgen
