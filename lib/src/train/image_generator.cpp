#include "synthgen/train/image_generator.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"
#include "synthgen/core/text.h"
#include "synthgen/families/registry.h"
#include "synthgen/io/image_tensor.h"
#include "synthgen/io/strict_weights.h"
#include "synthgen/models/diffusion_sampler.h"
#include "synthgen/models/vae.h"
#include "synthgen/train/gan_sampling.h"

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

// The checks that do not depend on the family.
void check_ranges(const GeneratorOptions& options) {
  if (!(options.truncation >= 0.0 && options.truncation <= 1.0)) {
    throw UsageError(fmt::format("--truncation: expected psi in [0, 1], got {}", options.truncation));
  }
  if (options.steps < 0) throw UsageError(fmt::format("--steps: expected a count >= 1, got {}", options.steps));
}

constexpr const char* kRawWeights = "raw weights (--no-ema)";

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
        truncation_(options.truncation),
        use_ema_(options.use_ema) {
    refuse_diffusion_options(options, config.model.family);
    loaded_.network->fuse_for_inference();
    class_names_ = loaded_.class_names;
  }
  std::int64_t num_classes() const override { return loaded_.network->num_classes(); }
  std::string settings() const override {
    std::string text = truncation_ == 1.0 ? "" : fmt::format("truncation {}", truncation_);
    if (!use_ema_) text += std::string(text.empty() ? "" : ", ") + kRawWeights;
    return text;
  }

 protected:
  torch::Tensor make_images(const std::vector<std::uint64_t>& seeds, const torch::Tensor& labels) override {
    // Models with noise inputs (progan) draw from the default RNG: seeded per batch, so that the
    // same seed and batch size give the same files.
    torch::manual_seed(seeds.front());
    const torch::Tensor z = train::latents_for_seeds(seeds, loaded_.network->latent_dim(), device_);
    return train::generate(*loaded_.network, z, labels.defined() ? labels.to(device_) : labels, loaded_.image_size,
                           truncation_);
  }

 private:
  train::LoadedGenerator loaded_;
  torch::Device device_;
  double truncation_;
  bool use_ema_;
};

class DiffusionImageGenerator : public ImageGenerator {
 public:
  DiffusionImageGenerator(const Config& config, torch::serialize::InputArchive& archive, const torch::Device& device,
                          const GeneratorOptions& options)
      : model_(config), device_(device), use_ema_(options.use_ema) {
    if (options.truncation != 1.0) throw UsageError("--truncation applies to GANs, not to ddpm models");
    io::read_weights_part_preferring(archive, "model_ema", "model", options.use_ema, *model_);
    model_->to(device_);
    model_->eval();
    class_names_ = read_class_names(archive);
    const std::int64_t timesteps = model_->schedule->timesteps();
    sampler_.kind = options.sampler.empty() ? "ddim" : options.sampler;
    sampler_.steps = options.steps != 0        ? options.steps
                     : sampler_.kind == "ddpm" ? timesteps
                                               : std::min<std::int64_t>(50, timesteps);
    if (sampler_.kind != "ddim" && !std::isnan(options.eta)) {
      throw UsageError(fmt::format("--eta applies to the ddim sampler only, not to --sampler {}", sampler_.kind));
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
  std::string settings() const override {
    std::string text = fmt::format("{}, {} steps", sampler_.kind, sampler_.steps);
    if (sampler_.kind == "ddim") text += fmt::format(", eta {}", sampler_.eta);
    if (num_classes() > 0) text += fmt::format(", guidance {}", sampler_.guidance);
    return use_ema_ ? text : text + ", " + kRawWeights;
  }

 protected:
  torch::Tensor make_images(const std::vector<std::uint64_t>& seeds, const torch::Tensor& labels) override {
    return models::sample_diffusion(model_, seeds, labels, sampler_, device_, progress_);
  }

 private:
  models::DiffusionModel model_;
  torch::Device device_;
  bool use_ema_;
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
    io::read_weights_part(archive, "vae", *vae_);
    vae_->to(device_);
    vae_->eval();
    class_names_ = read_class_names(archive);
  }
  std::int64_t num_classes() const override { return vae_->options().num_classes; }

 protected:
  torch::Tensor make_images(const std::vector<std::uint64_t>& seeds, const torch::Tensor& labels) override {
    const torch::Tensor z = train::latents_for_seeds(seeds, vae_->options().latent_dim, device_);
    return vae_->mean_image(vae_->decode(z, labels.defined() ? labels.to(device_) : labels));
  }

 private:
  models::Vae vae_;
  torch::Device device_;
};

}  // namespace

torch::Tensor ImageGenerator::generate(std::uint64_t first_seed, std::int64_t count, const torch::Tensor& labels) {
  return generate(seed_range(first_seed, count), labels);
}

torch::Tensor ImageGenerator::generate(const std::vector<std::uint64_t>& seeds, const torch::Tensor& labels) {
  if (seeds.empty()) throw RuntimeError("generate: no seeds");
  return io::crop_border(make_images(seeds, labels), border_);
}

std::string given_sampling_flag(const GeneratorOptions& options) {
  if (!options.use_ema) return "--no-ema";
  if (options.truncation != 1.0) return "--truncation";
  if (!options.sampler.empty()) return "--sampler";
  if (options.steps != 0) return "--steps";
  if (!std::isnan(options.eta)) return "--eta";
  if (!std::isnan(options.guidance)) return "--guidance";
  return "";
}

std::unique_ptr<ImageGenerator> make_gan_image_generator(const Config& config, torch::serialize::InputArchive& archive,
                                                         const torch::Device& device, const GeneratorOptions& options) {
  return std::make_unique<GanImageGenerator>(config, archive, device, options);
}

std::unique_ptr<ImageGenerator> make_diffusion_image_generator(const Config& config,
                                                               torch::serialize::InputArchive& archive,
                                                               const torch::Device& device,
                                                               const GeneratorOptions& options) {
  return std::make_unique<DiffusionImageGenerator>(config, archive, device, options);
}

std::unique_ptr<ImageGenerator> make_vae_image_generator(const Config& config, torch::serialize::InputArchive& archive,
                                                         const torch::Device& device, const GeneratorOptions& options) {
  return std::make_unique<VaeImageGenerator>(config, archive, device, options);
}

void require_image_family(const std::string& family_name, const std::string& path) {
  const ModelFamily& family = find_model_family(family_name);
  if (family.make_image_generator) return;
  throw UsageError(fmt::format("'{}' is a {} ({}) model: use {} (it makes no images from noise)", path,
                               family_kind_name(family.kind), family.name, family.use_with));
}

std::unique_ptr<ImageGenerator> load_image_generator(const Config& config, torch::serialize::InputArchive& trainer_part,
                                                     const torch::Device& device, const GeneratorOptions& options) {
  check_ranges(options);
  require_image_family(config.model.family, "the checkpoint");
  std::unique_ptr<ImageGenerator> generator =
      find_model_family(config.model.family).make_image_generator(config, trainer_part, device, options);
  generator->set_border(config.data.pad);
  return generator;
}

}  // namespace synthgen
