#include "synthgen/train/image_generator.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"
#include "synthgen/core/text.h"
#include "synthgen/models/diffusion_sampler.h"
#include "synthgen/models/vae.h"
#include "synthgen/train/gan_trainer.h"

namespace synthgen {
namespace {

std::vector<std::string> read_class_names(torch::serialize::InputArchive& archive) {
  c10::IValue names;
  return archive.try_read("class_names", names) ? split_lines(names.toStringRef()) : std::vector<std::string>();
}

std::vector<std::uint64_t> seed_range(std::uint64_t first, std::int64_t count) {
  std::vector<std::uint64_t> seeds;
  for (std::int64_t i = 0; i < count; ++i) seeds.push_back(first + static_cast<std::uint64_t>(i));
  return seeds;
}

void refuse_diffusion_options(const GeneratorOptions& options, const std::string& family) {
  auto refuse = [&family](const char* flag) {
    throw UsageError(fmt::format("{} applies to ddpm models only; this checkpoint holds a {} model", flag, family));
  };
  if (!options.sampler.empty()) refuse("--sampler");
  if (options.steps != 0) refuse("--steps");
  if (!std::isnan(options.eta)) refuse("--eta");
  if (!std::isnan(options.guidance)) refuse("--guidance");
}

class GanImageGenerator : public ImageGenerator {
 public:
  GanImageGenerator(const Config& config, torch::serialize::InputArchive& archive, const torch::Device& device,
                    const GeneratorOptions& options)
      : loaded_(train::load_generator(config, archive, device, options.use_ema)),
        device_(device),
        truncation_(options.truncation) {
    refuse_diffusion_options(options, config.model.family);
    loaded_.network->fuse_for_inference();
    class_names_ = loaded_.class_names;
  }
  std::int64_t num_classes() const override { return loaded_.network->num_classes(); }
  torch::Tensor generate(std::uint64_t first_seed, std::int64_t count, const torch::Tensor& labels) override {
    // Models with noise inputs (progan) draw from the default RNG: seeded per batch, so that the
    // same seed and batch size give the same files.
    torch::manual_seed(first_seed);
    const torch::Tensor z = train::latents_for_seeds(first_seed, count, loaded_.network->latent_dim(), device_);
    return train::generate(*loaded_.network, z, labels.defined() ? labels.to(device_) : labels,
                           loaded_.image_size, truncation_);
  }

 private:
  train::LoadedGenerator loaded_;
  torch::Device device_;
  double truncation_;
};

class DiffusionImageGenerator : public ImageGenerator {
 public:
  DiffusionImageGenerator(const Config& config, torch::serialize::InputArchive& archive,
                          const torch::Device& device, const GeneratorOptions& options)
      : model_(config), device_(device) {
    if (options.truncation != 1.0) throw UsageError("--truncation applies to GANs, not to ddpm models");
    torch::serialize::InputArchive part;
    if (!(options.use_ema && archive.try_read("model_ema", part))) archive.read("model", part);
    model_->load(part);
    model_->to(device_);
    model_->eval();
    class_names_ = read_class_names(archive);
    const std::int64_t timesteps = model_->schedule->timesteps();
    sampler_.kind = options.sampler.empty() ? "ddim" : options.sampler;
    sampler_.steps = options.steps != 0 ? options.steps
                     : sampler_.kind == "ddpm" ? timesteps
                                               : std::min<std::int64_t>(50, timesteps);
    if (sampler_.kind == "ddpm" && !std::isnan(options.eta)) {
      throw UsageError("--eta applies to the ddim sampler; ddpm's ancestral steps have fixed noise");
    }
    sampler_.eta = std::isnan(options.eta) ? 0.0 : options.eta;
    if (!std::isnan(options.guidance) && config.model.num_classes == 0) {
      throw UsageError("--guidance needs a class-conditional model (model.num_classes > 0)");
    }
    sampler_.guidance = std::isnan(options.guidance) ? 1.0 : options.guidance;
    models::check_sampler_options(sampler_, timesteps);
  }
  std::int64_t num_classes() const override { return model_->unet->num_classes(); }
  std::int64_t passes_per_image() const override { return sampler_.steps; }
  torch::Tensor generate(std::uint64_t first_seed, std::int64_t count, const torch::Tensor& labels) override {
    return models::sample_diffusion(model_, seed_range(first_seed, count), labels, sampler_, device_, progress_);
  }

 private:
  models::DiffusionModel model_;
  torch::Device device_;
  models::SamplerOptions sampler_;
};

class VaeImageGenerator : public ImageGenerator {
 public:
  VaeImageGenerator(const Config& config, torch::serialize::InputArchive& archive, const torch::Device& device,
                    const GeneratorOptions& options)
      : vae_(models::vae_options(config)), device_(device) {
    refuse_diffusion_options(options, "vae");
    if (options.truncation != 1.0) throw UsageError("--truncation applies to GANs, not to vae models");
    if (!options.use_ema) throw UsageError("--no-ema: a vae keeps no EMA weights");
    torch::serialize::InputArchive part;
    archive.read("vae", part);
    vae_->load(part);
    vae_->to(device_);
    vae_->eval();
    class_names_ = read_class_names(archive);
  }
  std::int64_t num_classes() const override { return vae_->options().num_classes; }
  torch::Tensor generate(std::uint64_t first_seed, std::int64_t count, const torch::Tensor& labels) override {
    const torch::Tensor z = train::latents_for_seeds(first_seed, count, vae_->options().latent_dim, device_);
    return vae_->mean_image(vae_->decode(z, labels.defined() ? labels.to(device_) : labels));
  }

 private:
  models::Vae vae_;
  torch::Device device_;
};

}  // namespace

void require_image_family(const std::string& family, const std::string& path) {
  train::require_image_generator(family, path);
}

std::unique_ptr<ImageGenerator> load_image_generator(const Config& config,
                                                     torch::serialize::InputArchive& trainer_part,
                                                     const torch::Device& device, const GeneratorOptions& options) {
  if (config.model.family == "ddpm") {
    return std::make_unique<DiffusionImageGenerator>(config, trainer_part, device, options);
  }
  if (config.model.family == "vae") return std::make_unique<VaeImageGenerator>(config, trainer_part, device, options);
  return std::make_unique<GanImageGenerator>(config, trainer_part, device, options);
}

}  // namespace synthgen
