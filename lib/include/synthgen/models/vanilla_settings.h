// The vanilla GAN's own settings (models/vanilla.h). It also reads model.spectral_norm (shared with
// dcgan) and the GAN trainer's settings (train/gan_training_settings.h).
#pragma once

#include "synthgen/config/config_schema.h"

namespace synthgen {

struct VanillaSettings {
  int hidden_dim = 512;  // model.hidden_dim: units in each hidden layer of G and D
};

// Declares the key above, bound to `settings`.
void describe_vanilla_settings(ConfigSchema& schema, VanillaSettings& settings);

}  // namespace synthgen
