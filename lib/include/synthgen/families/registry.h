// The model families: one entry each, holding everything the rest of the code needs to know about
// a family: its kind, its settings (a struct beside its modules whose keys it declares, with their
// types, ranges and docs), the shared keys it reads, its cross-field checks, and the factories of
// its trainer and of what its checkpoints are used for. The config schema, the family-key checks,
// `--print-config`, the trainer and generator dispatch and docs/config.md all derive from this
// table. Adding a family means adding its files and one entry in lib/src/families/registry.cpp
// (docs/architecture.md shows the steps).
//
// The header is torch-free (the config layer reads it): the factories' types are only declared.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "synthgen/config/config_schema.h"

namespace c10 {
struct Device;
}
namespace torch::serialize {
class InputArchive;
}

namespace synthgen {

struct Config;
struct GeneratorOptions;
class ImageGenerator;
namespace train {
class Trainer;
struct DataInfo;
struct LoadedTranslator;
}  // namespace train
namespace models {
class Generator;
class Discriminator;
}  // namespace models

enum class FamilyKind { kGan, kDiffusion, kVae, kTranslation, kSuperResolution, kClassifier };

// "GAN", "diffusion", ...: how docs and messages name a kind.
const char* family_kind_name(FamilyKind kind);

struct ModelFamily {
  using TrainerFactory = std::unique_ptr<train::Trainer> (*)(const Config&, const c10::Device&, const train::DataInfo&);
  // Loads a checkpoint's "trainer" part as an image generator (sample, eval --fake, eval cas).
  using ImageGeneratorFactory = std::unique_ptr<ImageGenerator> (*)(const Config&, torch::serialize::InputArchive&,
                                                                    const c10::Device&, const GeneratorOptions&);
  // Loads a checkpoint's "trainer" part as an image-to-image translator (translate).
  using TranslatorFactory = train::LoadedTranslator (*)(const Config&, torch::serialize::InputArchive&,
                                                        const c10::Device&, const std::string& direction,
                                                        const std::string& path);
  using GanGeneratorFactory = std::shared_ptr<models::Generator> (*)(const Config&);
  using GanDiscriminatorFactory = std::shared_ptr<models::Discriminator> (*)(const Config&);
  // Declares the keys of one settings struct (e.g. describe_ddpm_settings), bound to that
  // struct's member of a Config (lib/src/families/registry.cpp binds them).
  using SettingsDescriber = void (*)(ConfigSchema&, Config&);
  // Cross-field rules of a family, run after every key was read.
  using SettingsCheck = void (*)(const Config&, ConfigRuleErrors&);

  std::string name;  // model.family
  FamilyKind kind;
  std::string summary;  // one line: what it is, after whom
  // Its settings: the keys only it (and the families sharing the same settings) reads. The GANs
  // share the GAN trainer's settings.
  std::vector<SettingsDescriber> settings;
  // The keys of the shared sections (config.h) that only some families read, this one among them
  // (model.latent_dim, model.channel_mults, model.spectral_norm, train.loss).
  std::vector<std::string> shared_keys;
  SettingsCheck check = nullptr;  // optional: its own cross-field rules
  TrainerFactory make_trainer = nullptr;
  ImageGeneratorFactory make_image_generator = nullptr;  // null: `sample` refuses its checkpoints
  TranslatorFactory make_translator = nullptr;           // null: `translate` refuses them
  std::string use_with;  // for a family that is not sampled: the command that uses its checkpoints
  GanGeneratorFactory make_gan_generator = nullptr;  // GANs: G and D, built by GanTrainer
  GanDiscriminatorFactory make_gan_discriminator = nullptr;

  // Every key it reads that not every family reads: its shared keys and its settings' keys,
  // filled in by the registry. A key that no family lists is read by every family; one set away
  // from its default on a family that does not list it is refused.
  std::vector<std::string> keys;

  bool reads_key(const std::string& key) const;
};

// Every family, in the order docs list them (an explicit list: static self-registration is dropped
// by the linker from a static library).
const std::vector<ModelFamily>& model_families();

// The family called `name`; throws ConfigError naming the known families (and the closest name).
const ModelFamily& find_model_family(const std::string& name);

// The families' names, in registry order.
std::vector<std::string> model_family_names();

// Every key that some family lists, each once, in registry order.
std::vector<std::string> family_specific_keys();

// The names of the families that read `key` (every family for a key that none lists).
std::vector<std::string> families_reading(const std::string& key);

}  // namespace synthgen
