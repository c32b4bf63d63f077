#include "synthgen/train/translator.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"
#include "synthgen/families/registry.h"
#include "synthgen/io/strict_weights.h"
#include "synthgen/models/cyclegan.h"
#include "synthgen/models/pix2pix.h"

namespace synthgen::train {
namespace {

// A translator around `generator` (a module holder), its weights read from `part` of the trainer's
// checkpoint, on `device` and in eval mode.
template <typename Holder>
LoadedTranslator ready_translator(Holder generator, const Config& config, torch::serialize::InputArchive& trainer_part,
                                  const std::string& part, const torch::Device& device) {
  io::read_weights_part(trainer_part, part, *generator);
  generator->to(device);
  generator->eval();
  LoadedTranslator loaded;
  loaded.channels = config.data.channels;
  loaded.image_size = config.data.image_size;
  loaded.module = generator.ptr();
  loaded.network = [generator](const torch::Tensor& x) mutable { return generator->forward(x); };
  return loaded;
}

}  // namespace

void check_direction(const std::string& direction) {
  if (direction != "AtoB" && direction != "BtoA") {
    throw UsageError(fmt::format("--direction: expected AtoB or BtoA, got '{}'", direction));
  }
}

LoadedTranslator load_translator(const Config& config, torch::serialize::InputArchive& trainer_part,
                                 const torch::Device& device, const std::string& direction, const std::string& path) {
  check_direction(direction);
  const ModelFamily& family = find_model_family(config.model.family);
  if (!family.make_translator) {
    throw UsageError(
        fmt::format("'{}' holds a {} model; translate needs a pix2pix or cyclegan checkpoint", path, family.name));
  }
  return family.make_translator(config, trainer_part, device, direction, path);
}

LoadedTranslator load_pix2pix_translator(const Config& config, torch::serialize::InputArchive& trainer_part,
                                         const torch::Device& device, const std::string& direction,
                                         const std::string& path) {
  if (direction != "AtoB") {
    throw UsageError(
        fmt::format("--direction {}: '{}' is a pix2pix model, which translates A to B only (train a "
                    "cyclegan for both directions)",
                    direction, path));
  }
  const ModelConfig& m = config.model;
  models::UnetGenerator generator(config.data.channels, config.data.channels, m.base_channels,
                                  models::unet_levels_for(config.pix2pix, config.data.image_size), m.norm);
  LoadedTranslator loaded = ready_translator(generator, config, trainer_part, "generator", device);
  loaded.stride = generator->stride();
  return loaded;
}

LoadedTranslator load_cyclegan_translator(const Config& config, torch::serialize::InputArchive& trainer_part,
                                          const torch::Device& device, const std::string& direction,
                                          const std::string& /*path*/) {
  const ModelConfig& m = config.model;
  models::ResnetGenerator generator(config.data.channels, m.base_channels, config.cyclegan.generator_blocks, m.norm);
  LoadedTranslator loaded =
      ready_translator(generator, config, trainer_part, direction == "AtoB" ? "generator_ab" : "generator_ba", device);
  loaded.stride = models::ResnetGeneratorImpl::kStride;
  loaded.min_side = 2 * models::ResnetGeneratorImpl::kStride;
  return loaded;
}

}  // namespace synthgen::train
