// Keys that only some model families (or one loss) read. Set away from its default where nothing
// reads it, such a key would change nothing, silently; the user meant something by it, so it is an
// error.
#include <fmt/format.h>

#include <algorithm>

#include "fields.h"
#include "synthgen/config/load.h"

namespace synthgen::config_detail {
namespace {

struct FamilyKeys {
  std::vector<std::string> families;  // the families whose code reads the keys
  std::vector<std::string> keys;
};

// The families the GAN trainer runs; pix2pix and cyclegan have their own losses.
const std::vector<std::string>& gan_trainer_families() {
  static const std::vector<std::string> families = {"vanilla", "dcgan", "progan"};
  return families;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

const std::vector<FamilyKeys>& family_only_keys() {
  static const std::vector<FamilyKeys> table = {
      {gan_trainer_families(),
       {"train.n_critic", "train.gp_weight", "train.r1_gamma", "train.drift", "train.mode_seeking",
        "train.augment"}},
      {{"vanilla", "dcgan", "progan", "pix2pix", "cyclegan"}, {"train.loss"}},
      {{"vanilla", "dcgan", "progan", "vae"}, {"model.latent_dim"}},
      {{"vanilla", "dcgan"}, {"model.spectral_norm"}},
      {{"vanilla"}, {"model.hidden_dim"}},
      {{"progan"},
       {"model.max_channels", "model.mapping_layers", "model.style_modulation", "model.noise_inputs",
        "train.fade_images", "train.stable_images"}},
      {{"srgan"},
       {"model.sr_scale", "model.sr_block", "model.sr_blocks", "model.sr_growth", "model.sr_bicubic_skip",
        "train.sr_patch", "train.pixel_weight", "train.perceptual_weight", "train.perceptual_net",
        "train.gan_weight", "train.sr_blur", "train.sr_noise", "train.sr_jpeg"}},
      {{"ddpm", "vae"}, {"model.channel_mults"}},
      {{"ddpm"},
       {"model.res_blocks", "model.attention_max_size", "model.dropout", "model.timesteps",
        "model.noise_schedule", "model.prediction", "train.label_dropout"}},
      {{"vae"}, {"model.likelihood", "train.kl_beta"}},
      {{"pix2pix"}, {"model.unet_levels", "train.l1_weight"}},
      {{"cyclegan"}, {"model.generator_blocks", "train.cycle_weight", "train.identity_weight", "train.pool_size"}},
  };
  return table;
}

// "a", "a and b", "a, b and c".
std::string spoken_list(const std::vector<std::string>& items) {
  if (items.size() < 2) return items.empty() ? std::string() : items.front();
  const std::vector<std::string> head(items.begin(), items.end() - 1);
  return fmt::format("{} and {}", fmt::join(head, ", "), items.back());
}

}  // namespace

void family_key_errors(const Config& config, std::vector<std::pair<std::string, std::string>>& errors) {
  const std::vector<std::string> set_keys = changed_keys(Config{}, config);
  for (const FamilyKeys& entry : family_only_keys()) {
    if (contains(entry.families, config.model.family)) continue;
    for (const std::string& key : entry.keys) {
      if (!contains(set_keys, key)) continue;
      errors.emplace_back(key, fmt::format("{} is only used by {}, not {}: remove it (or choose one of those "
                                           "families)",
                                           key, spoken_list(entry.families), config.model.family));
    }
  }
  // The GAN trainer adds the gradient penalty only to the wgan-gp loss (R1 and drift go with any).
  const bool gan_trainer = contains(gan_trainer_families(), config.model.family);
  if (gan_trainer && contains(set_keys, "train.gp_weight") && config.train.loss != "wgan-gp") {
    errors.emplace_back("train.gp_weight", fmt::format("train.gp_weight is only used by train.loss wgan-gp, not "
                                                       "{}: remove it (or use train.r1_gamma, which works "
                                                       "with any loss)",
                                                       config.train.loss));
  }
}

}  // namespace synthgen::config_detail
