// ProGAN's own settings (models/progan.h): its networks' StyleGAN options and the growth schedule.
// It also reads the GAN trainer's settings (train/gan_training_settings.h).
#pragma once

#include <cstdint>
#include <vector>

#include "synthgen/config/config_schema.h"

namespace synthgen {

struct ProganSettings {
  int max_channels = 256;               // model.max_channels: cap on the feature maps of any block
  int mapping_layers = 0;               // model.mapping_layers: StyleGAN mapping network z -> w depth (0 = none)
  bool style_modulation = false;        // model.style_modulation: per-layer style modulation of feature maps by w
  bool noise_inputs = false;            // model.noise_inputs: per-pixel noise added after each convolution of G
  std::int64_t fade_images = 200000;    // train.fade_images: images over which a new resolution fades in
  std::int64_t stable_images = 200000;  // train.stable_images: images at each resolution after its fade-in
  // train.batch_sizes: batch size at each resolution from 4x4 up, one per resolution (empty =
  // train.batch_size throughout); small resolutions are cheap, so larger batches there keep the
  // step count down.
  std::vector<int> batch_sizes = {};
};

// Declares the keys above, bound to `settings`.
void describe_progan_settings(ConfigSchema& schema, ProganSettings& settings);

}  // namespace synthgen
