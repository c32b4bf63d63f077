// Sampling a trained GAN generator: seeded latents, the generator loaded from a checkpoint, and
// the growth stage (ProGAN) that travels with it.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "synthgen/config/config.h"
#include "synthgen/models/gan.h"

namespace synthgen::train {

// The network as a growing one (ProGAN), or nullptr.
models::Growable* growable(torch::nn::Module& module);

// The growth stage in a GanTrainer's archive ("growth_level", "growth_alpha"); `fallback` where
// the archive holds none.
void write_growth(torch::serialize::OutputArchive& archive, const models::Growth& growth);
models::Growth read_growth(torch::serialize::InputArchive& archive, const models::Growth& fallback);

// Latent vectors for images seed, seed+1, ...: image i's latent depends only on seed + i, so a
// sample set does not depend on the batch size or the device. Drawn on the CPU, returned on
// `device`.
torch::Tensor latents_for_seeds(std::uint64_t first_seed, std::int64_t count, std::int64_t latent_dim,
                                const torch::Device& device);
// The same for any list of seeds: latent i from seeds[i] alone.
torch::Tensor latents_for_seeds(const std::vector<std::uint64_t>& seeds, std::int64_t latent_dim,
                                const torch::Device& device);

struct LoadedGenerator {
  std::shared_ptr<models::Generator> network;  // eval mode, on the requested device
  std::vector<std::string> class_names;        // conditional models: label i's name (may be empty)
  int image_size = 0;                          // config data.image_size: outputs are brought to it
};

// The generator from the archive a GanTrainer saved (the "trainer" part of a checkpoint): the EMA
// weights when the run kept them (unless use_ema is false), at the growth stage it reached.
LoadedGenerator load_generator(const Config& config, torch::serialize::InputArchive& archive,
                               const torch::Device& device, bool use_ema = true);

// G's images at config data.image_size: a growing generator below its last stage makes smaller
// ones, which are enlarged (nearest neighbour) so that every output has the configured size.
torch::Tensor generate(models::Generator& generator, const torch::Tensor& z, const torch::Tensor& labels,
                       int image_size, double truncation = 1.0);

}  // namespace synthgen::train
