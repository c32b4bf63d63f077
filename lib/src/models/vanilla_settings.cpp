#include "synthgen/models/vanilla_settings.h"

namespace synthgen {

void describe_vanilla_settings(ConfigSchema& s, VanillaSettings& vanilla) {
  s.integer("model.hidden_dim", vanilla.hidden_dim, {1, 65536}, "vanilla: units in each hidden layer");
}

}  // namespace synthgen
