// GAN losses on discriminator logits, each a small pure function. All return a scalar mean over
// the batch, written with softplus so that they stay finite for large logits.
#pragma once

#include <torch/torch.h>

#include <string>

namespace synthgen::losses {

enum class GanLoss {
  kNonSaturating,  // G maximises log D(G(z))      (Goodfellow et al. 2014, section 3)
  kMinimax,        // G minimises log(1 - D(G(z))) (the original minimax game)
};

// "nonsaturating" | "minimax"; throws ConfigError otherwise.
GanLoss parse_gan_loss(const std::string& name);

// D's loss for both: -log D(x) - log(1 - D(G(z))) = softplus(-real) + softplus(fake), i.e. binary
// cross-entropy with target 1 on real and 0 on fake logits, summed over the two halves.
torch::Tensor discriminator_loss(GanLoss loss, const torch::Tensor& real_logits,
                                 const torch::Tensor& fake_logits);

// The two halves of discriminator_loss, for training loops that run backward on each half
// separately: discriminator_loss = discriminator_loss_real + discriminator_loss_fake.
torch::Tensor discriminator_loss_real(GanLoss loss, const torch::Tensor& real_logits);
torch::Tensor discriminator_loss_fake(GanLoss loss, const torch::Tensor& fake_logits);

// G's loss on the logits D gives its samples.
// nonsaturating: -log D(G(z)) = softplus(-fake).
// minimax:        log(1 - D(G(z))) = -softplus(fake).
torch::Tensor generator_loss(GanLoss loss, const torch::Tensor& fake_logits);

}  // namespace synthgen::losses
