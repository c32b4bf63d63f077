#include "synthgen/models/progan_settings.h"

namespace synthgen {

void describe_progan_settings(ConfigSchema& s, ProganSettings& progan) {
  s.integer("model.max_channels", progan.max_channels, {1, 4096}, "progan: cap on any block's feature maps");
  s.integer("model.mapping_layers", progan.mapping_layers, {0, 16},
            "progan: StyleGAN mapping network depth z -> w (0 = none)");
  s.flag("model.style_modulation", progan.style_modulation, "progan: per-layer style modulation by w");
  s.flag("model.noise_inputs", progan.noise_inputs, "progan: per-pixel noise inputs in G");
  s.integer("train.fade_images", progan.fade_images, {1, kMaxSteps}, "progan: images over which a resolution fades in");
  s.integer("train.stable_images", progan.stable_images, {1, kMaxSteps},
            "progan: images at each resolution after its fade-in");
  s.ints("train.batch_sizes", progan.batch_sizes, 0, 16, {1, 65536},
         "progan: batch size at each resolution from 4x4 up, e.g. [256, 128, 64, 64] (empty = batch_size)");
}

}  // namespace synthgen
