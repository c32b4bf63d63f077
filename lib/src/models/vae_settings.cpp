#include "synthgen/models/vae_settings.h"

#include "synthgen/config/config.h"

namespace synthgen {

void describe_vae_settings(ConfigSchema& s, VaeSettings& vae) {
  s.choice("model.likelihood", vae.likelihood, {"bernoulli", "gaussian"},
           "vae: p(x|z) over pixels scaled to [0, 1]: bernoulli | gaussian (learned global sigma)");
  s.real("train.kl_beta", vae.kl_beta, kNonNegative, "vae: weight of the KL term (beta-VAE; 1 = the ELBO)");
  s.integer("train.eval_every", vae.eval_every, {0, kMaxSteps},
            "vae: steps between test-set ELBO lines in metrics.jsonl (0 = at the end only)");
}

void check_vae_settings(const Config& c, ConfigRuleErrors& errors) {
  if (c.train.ema_decay > 0.0) {
    errors.emplace_back("train.ema_decay", "vae keeps no EMA of its weights: train.ema_decay must be 0");
  }
}

}  // namespace synthgen
