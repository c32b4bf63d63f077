#include "synthgen/train/gan_sampling.h"

#include <ATen/CPUGeneratorImpl.h>

#include "synthgen/core/text.h"
#include "synthgen/io/strict_weights.h"

namespace synthgen::train {

models::Growable* growable(torch::nn::Module& module) { return dynamic_cast<models::Growable*>(&module); }

void write_growth(torch::serialize::OutputArchive& archive, const models::Growth& growth) {
  archive.write("growth_level", c10::IValue(static_cast<std::int64_t>(growth.level)));
  archive.write("growth_alpha", c10::IValue(growth.alpha));
}

models::Growth read_growth(torch::serialize::InputArchive& archive, const models::Growth& fallback) {
  models::Growth growth = fallback;
  c10::IValue level;
  if (archive.try_read("growth_level", level)) growth.level = static_cast<int>(level.toInt());
  c10::IValue alpha;
  if (archive.try_read("growth_alpha", alpha)) growth.alpha = alpha.toDouble();
  return growth;
}

torch::Tensor latents_for_seeds(std::uint64_t first_seed, std::int64_t count, std::int64_t latent_dim,
                                const torch::Device& device) {
  std::vector<std::uint64_t> seeds;
  for (std::int64_t i = 0; i < count; ++i) seeds.push_back(first_seed + static_cast<std::uint64_t>(i));
  return latents_for_seeds(seeds, latent_dim, device);
}

torch::Tensor latents_for_seeds(const std::vector<std::uint64_t>& seeds, std::int64_t latent_dim,
                                const torch::Device& device) {
  torch::Tensor latents = torch::empty({static_cast<std::int64_t>(seeds.size()), latent_dim});
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seeds[i]);
    latents[static_cast<std::int64_t>(i)].copy_(at::randn({latent_dim}, generator));
  }
  return latents.to(device);
}

torch::Tensor generate(models::Generator& generator, const torch::Tensor& z, const torch::Tensor& labels,
                       int image_size, double truncation) {
  torch::Tensor images =
      truncation == 1.0 ? generator.forward(z, labels) : generator.forward_truncated(z, labels, truncation);
  if (images.size(-1) != image_size) images = torch::upsample_nearest2d(images, {image_size, image_size});
  return images;
}

LoadedGenerator load_generator(const Config& config, torch::serialize::InputArchive& archive,
                               const torch::Device& device, bool use_ema) {
  LoadedGenerator loaded;
  loaded.network = models::make_generator(config);
  loaded.image_size = config.data.image_size;
  if (auto* grows = growable(*loaded.network)) grows->set_growth(read_growth(archive, grows->growth()));
  io::read_weights_part_preferring(archive, "generator_ema", "generator", use_ema, *loaded.network);
  c10::IValue names;
  if (archive.try_read("class_names", names)) loaded.class_names = split_lines(names.toStringRef());
  loaded.network->to(device);
  loaded.network->eval();
  return loaded;
}

}  // namespace synthgen::train
