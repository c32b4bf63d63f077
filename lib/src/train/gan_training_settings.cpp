#include "synthgen/train/gan_training_settings.h"

#include <fmt/format.h>

#include "synthgen/config/config.h"

namespace synthgen {

void describe_gan_training_settings(ConfigSchema& s, GanTrainingSettings& gan) {
  s.integer("train.n_critic", gan.n_critic, {1, 100}, "D (critic) updates per G update");
  s.real("train.gp_weight", gan.gp_weight, kNonNegative, "wgan-gp: weight of the gradient penalty");
  s.real("train.r1_gamma", gan.r1_gamma, kNonNegative, "R1 penalty gamma on real images (0 = off)");
  s.real("train.drift", gan.drift, kNonNegative, "weight of mean(D(x)^2) on real logits (ProGAN 0.001)");
  s.real("train.mode_seeking", gan.mode_seeking, kNonNegative,
         "GANs: weight of the mode-seeking term in G's loss (MSGAN, e.g. 1; 0 = off)");
  s.word_list("train.augment", gan.augment, "none", {"translation", "cutout", "color"},
              "DiffAugment: none or a comma list of translation, cutout, color");
}

void check_gan_training_settings(const Config& c, ConfigRuleErrors& errors) {
  // The GAN trainer adds the gradient penalty only to the wgan-gp loss; a weight set away from its
  // default with another loss would change nothing.
  if (c.gan.gp_weight != GanTrainingSettings{}.gp_weight && c.train.loss != "wgan-gp") {
    errors.emplace_back("train.gp_weight", fmt::format("train.gp_weight is only used by train.loss wgan-gp, not "
                                                       "{}: remove it (or use train.r1_gamma, which works "
                                                       "with any loss)",
                                                       c.train.loss));
  }
}

}  // namespace synthgen
