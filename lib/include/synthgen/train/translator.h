// A trained translation generator ready for inference: pix2pix's G, or one of CycleGAN's two.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>

#include "synthgen/config/config.h"

namespace synthgen::train {

struct LoadedTranslator {
  std::function<torch::Tensor(const torch::Tensor&)> network;  // [B, C, H, W] -> same shape, [-1, 1]
  std::shared_ptr<torch::nn::Module> module;                   // keeps the network alive
  std::int64_t stride = 1;    // input sides must be multiples of this (the U-Net's 2^levels, ResNet G's 4)
  std::int64_t min_side = 1;  // and at least this (ResNet G: 8, so that its blocks see 2 x 2 or more)
  int channels = 1;           // data.channels of the training run
  int image_size = 0;         // data.image_size of the training run
};

// "AtoB" or "BtoA"; throws UsageError for anything else.
void check_direction(const std::string& direction);

// The generator of a pix2pix or cyclegan checkpoint's "trainer" part, in eval mode on `device`
// (no dropout; BatchNorm uses its running statistics). direction "AtoB" (pix2pix's only one; a
// cyclegan's G_AB) or "BtoA" (a cyclegan's G_BA). Throws UsageError naming `path` for another
// family or BtoA on pix2pix.
LoadedTranslator load_translator(const Config& config, torch::serialize::InputArchive& trainer_part,
                                 const torch::Device& device, const std::string& direction, const std::string& path);

// The two families' loaders (their registry factories); `direction` is already checked.
LoadedTranslator load_pix2pix_translator(const Config& config, torch::serialize::InputArchive& trainer_part,
                                         const torch::Device& device, const std::string& direction,
                                         const std::string& path);
LoadedTranslator load_cyclegan_translator(const Config& config, torch::serialize::InputArchive& trainer_part,
                                          const torch::Device& device, const std::string& direction,
                                          const std::string& path);

}  // namespace synthgen::train
