#include "synthgen/families/registry.h"

#include <fmt/format.h>

#include <algorithm>

#include "synthgen/config/closest_key.h"
#include "synthgen/config/config.h"
#include "synthgen/core/error.h"
#include "synthgen/models/dcgan.h"
#include "synthgen/models/progan.h"
#include "synthgen/models/vanilla.h"
#include "synthgen/train/classifier_trainer.h"
#include "synthgen/train/cyclegan_trainer.h"
#include "synthgen/train/ddpm_trainer.h"
#include "synthgen/train/gan_trainer.h"
#include "synthgen/train/image_generator.h"
#include "synthgen/train/pix2pix_trainer.h"
#include "synthgen/train/sr_trainer.h"
#include "synthgen/train/translator.h"
#include "synthgen/train/vae_trainer.h"

namespace synthgen {
namespace {

// Binds the describer of one settings struct to that struct's member of Config.
template <auto member, auto describe>
void describe_member(ConfigSchema& schema, Config& config) {
  describe(schema, config.*member);
}

constexpr ModelFamily::SettingsDescriber kGanTrainingSettings =
    describe_member<&Config::gan, describe_gan_training_settings>;

template <class TrainerType>
std::unique_ptr<train::Trainer> trainer_with_data(const Config& config, const torch::Device& device,
                                                  const train::DataInfo& data) {
  return std::make_unique<TrainerType>(config, device, data);
}

template <class TrainerType>
std::unique_ptr<train::Trainer> trainer_without_data(const Config& config, const torch::Device& device,
                                                     const train::DataInfo& /*data*/) {
  return std::make_unique<TrainerType>(config, device);
}

template <class GeneratorType>
std::shared_ptr<models::Generator> gan_generator(const Config& config) {
  return std::make_shared<GeneratorType>(config);
}

template <class DiscriminatorType>
std::shared_ptr<models::Discriminator> gan_discriminator(const Config& config) {
  return std::make_shared<DiscriminatorType>(config);
}

// An entry with its name, kind and summary; the caller fills in the rest.
ModelFamily new_family(std::string name, FamilyKind kind, std::string summary) {
  ModelFamily family;
  family.name = std::move(name);
  family.kind = kind;
  family.summary = std::move(summary);
  return family;
}

// A family trained by the GAN trainer: its settings and checks, its loss (train.loss) and its z
// (model.latent_dim), and `settings` and `shared_keys` of its own.
ModelFamily gan_family(std::string name, std::string summary, std::vector<ModelFamily::SettingsDescriber> settings,
                       std::vector<std::string> shared_keys, ModelFamily::GanGeneratorFactory generator,
                       ModelFamily::GanDiscriminatorFactory discriminator) {
  ModelFamily family = new_family(std::move(name), FamilyKind::kGan, std::move(summary));
  family.settings = {kGanTrainingSettings};
  family.settings.insert(family.settings.end(), settings.begin(), settings.end());
  family.shared_keys = {"train.loss", "model.latent_dim"};
  family.shared_keys.insert(family.shared_keys.end(), shared_keys.begin(), shared_keys.end());
  family.check = check_gan_training_settings;
  family.make_trainer = trainer_with_data<train::GanTrainer>;
  family.make_image_generator = make_gan_image_generator;
  family.make_gan_generator = generator;
  family.make_gan_discriminator = discriminator;
  return family;
}

std::vector<ModelFamily> make_families() {
  std::vector<ModelFamily> families;
  families.push_back(gan_family("vanilla", "MLP generator and discriminator (Goodfellow et al. 2014)",
                                {describe_member<&Config::vanilla, describe_vanilla_settings>}, {"model.spectral_norm"},
                                gan_generator<models::VanillaGenerator>,
                                gan_discriminator<models::VanillaDiscriminator>));
  families.push_back(gan_family("dcgan", "DCGAN (Radford et al. 2016); optional spectral norm in D", {},
                                {"model.spectral_norm"}, gan_generator<models::DcganGenerator>,
                                gan_discriminator<models::DcganDiscriminator>));
  families.push_back(gan_family("progan",
                                "ProGAN (Karras et al. 2018) with StyleGAN options: mapping network, style "
                                "modulation, noise inputs",
                                {describe_member<&Config::progan, describe_progan_settings>}, {},
                                gan_generator<models::ProganGenerator>,
                                gan_discriminator<models::ProganDiscriminator>));

  ModelFamily ddpm =
      new_family("ddpm", FamilyKind::kDiffusion,
                 "diffusion (Ho et al. 2020): U-Net noise predictor; DDPM, DDIM and DPM-Solver++ sampling, "
                 "classifier-free guidance");
  ddpm.settings = {describe_member<&Config::ddpm, describe_ddpm_settings>};
  ddpm.shared_keys = {"model.channel_mults"};
  ddpm.make_trainer = trainer_with_data<train::DdpmTrainer>;
  ddpm.make_image_generator = make_diffusion_image_generator;
  families.push_back(ddpm);

  ModelFamily vae = new_family("vae", FamilyKind::kVae, "convolutional VAE (Kingma & Welling 2014), beta-weighted KL");
  vae.settings = {describe_member<&Config::vae, describe_vae_settings>};
  vae.shared_keys = {"model.latent_dim", "model.channel_mults"};
  vae.check = check_vae_settings;
  vae.make_trainer = trainer_with_data<train::VaeTrainer>;
  vae.make_image_generator = make_vae_image_generator;
  families.push_back(vae);

  ModelFamily pix2pix = new_family("pix2pix", FamilyKind::kTranslation,
                                   "paired image-to-image translation (Isola et al. 2017): U-Net G, PatchGAN D");
  pix2pix.settings = {describe_member<&Config::pix2pix, describe_pix2pix_settings>};
  pix2pix.shared_keys = {"train.loss"};
  pix2pix.check = check_pix2pix_settings;
  pix2pix.make_trainer = trainer_without_data<train::Pix2PixTrainer>;
  pix2pix.make_translator = train::load_pix2pix_translator;
  pix2pix.use_with = "synthgen translate";
  families.push_back(pix2pix);

  ModelFamily cyclegan = new_family("cyclegan", FamilyKind::kTranslation,
                                    "unpaired translation (Zhu et al. 2017): two ResNet generators, two PatchGAN "
                                    "discriminators");
  cyclegan.settings = {describe_member<&Config::cyclegan, describe_cyclegan_settings>};
  cyclegan.shared_keys = {"train.loss"};
  cyclegan.check = check_cyclegan_settings;
  cyclegan.make_trainer = trainer_without_data<train::CycleGanTrainer>;
  cyclegan.make_translator = train::load_cyclegan_translator;
  cyclegan.use_with = "synthgen translate";
  families.push_back(cyclegan);

  ModelFamily srgan = new_family("srgan", FamilyKind::kSuperResolution,
                                 "super-resolution x2/x4: SRResNet (Ledig et al. 2017) or ESRGAN (Wang et al. 2018)");
  srgan.settings = {describe_member<&Config::srgan, describe_srgan_settings>};
  srgan.check = check_srgan_settings;
  srgan.make_trainer = trainer_without_data<train::SrTrainer>;
  srgan.use_with = "synthgen upscale";
  families.push_back(srgan);

  // Shifted training images would teach a generator shifted images with black borders: only the
  // classifier takes them (GANs have DiffAugment's translation, train.augment).
  ModelFamily classifier = new_family("classifier", FamilyKind::kClassifier,
                                      "the built-in CNN that eval uses as a feature network and for CAS");
  classifier.shared_keys = {"data.random_shift"};
  classifier.make_trainer = trainer_with_data<train::ClassifierTrainer>;
  classifier.use_with = "synthgen eval --features classifier:CHECKPOINT";
  families.push_back(classifier);

  for (ModelFamily& family : families) {
    family.keys = family.shared_keys;
    for (const ModelFamily::SettingsDescriber describe : family.settings) {
      for (const std::string& key : described_keys(describe)) family.keys.push_back(key);
    }
  }
  return families;
}

}  // namespace

const char* family_kind_name(FamilyKind kind) {
  switch (kind) {
    case FamilyKind::kGan:
      return "GAN";
    case FamilyKind::kDiffusion:
      return "diffusion";
    case FamilyKind::kVae:
      return "VAE";
    case FamilyKind::kTranslation:
      return "translation";
    case FamilyKind::kSuperResolution:
      return "super-resolution";
    case FamilyKind::kClassifier:
      return "classifier";
  }
  return "?";
}

bool ModelFamily::reads_key(const std::string& key) const {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

const std::vector<ModelFamily>& model_families() {
  static const std::vector<ModelFamily> families = make_families();
  return families;
}

std::vector<std::string> model_family_names() {
  std::vector<std::string> names;
  for (const ModelFamily& family : model_families()) names.push_back(family.name);
  return names;
}

const ModelFamily& find_model_family(const std::string& name) {
  for (const ModelFamily& family : model_families()) {
    if (family.name == name) return family;
  }
  const std::vector<std::string> names = model_family_names();
  throw ConfigError(fmt::format("model.family: unknown family '{}'{}; known: {}", name, did_you_mean(name, names),
                                fmt::join(names, ", ")));
}

std::vector<std::string> family_specific_keys() {
  std::vector<std::string> keys;
  for (const ModelFamily& family : model_families()) {
    for (const std::string& key : family.keys) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }
  return keys;
}

std::vector<std::string> families_reading(const std::string& key) {
  std::vector<std::string> names;
  const std::vector<std::string> specific = family_specific_keys();
  const bool shared = std::find(specific.begin(), specific.end(), key) == specific.end();
  for (const ModelFamily& family : model_families()) {
    if (shared || family.reads_key(key)) names.push_back(family.name);
  }
  return names;
}

}  // namespace synthgen
