// GAN losses on discriminator (critic) logits [B], each a small pure function returning a scalar
// mean over the batch. The log-likelihood losses are written with softplus so that they stay
// finite for large logits.
#pragma once

#include <torch/torch.h>

#include <string>

namespace synthgen::losses {

enum class GanLoss {
  kNonSaturating,  // G maximises log D(G(z))      (Goodfellow et al. 2014, section 3)
  kMinimax,        // G minimises log(1 - D(G(z))) (the original minimax game)
  kWganGp,         // Wasserstein critic (Gulrajani et al. 2017); needs the gradient penalty
  kHinge,          // hinge loss on D (Lim & Ye 2017; Miyato et al. 2018)
  kLsgan,          // least squares with targets a=0 (fake), b=1 (real), c=1 (Mao et al. 2017)
};

// "nonsaturating" | "minimax" | "wgan-gp" | "hinge" | "lsgan"; throws ConfigError otherwise.
GanLoss parse_gan_loss(const std::string& name);

// True where the loss is only sound with a gradient penalty on the critic (wgan-gp); the caller
// adds gp_weight * gradient_penalty (losses/penalties.h) to D's loss.
bool needs_gradient_penalty(GanLoss loss);

// D's loss: discriminator_loss_real + discriminator_loss_fake.
torch::Tensor discriminator_loss(GanLoss loss, const torch::Tensor& real_logits, const torch::Tensor& fake_logits);

// The two halves of discriminator_loss, for training loops that run backward on each half
// separately.
// nonsaturating, minimax: softplus(-real), softplus(fake) (binary cross-entropy, targets 1 and 0).
// wgan-gp:                -real, fake.
// hinge:                  relu(1 - real), relu(1 + fake).
// lsgan:                  0.5 (real - 1)^2, 0.5 fake^2.
torch::Tensor discriminator_loss_real(GanLoss loss, const torch::Tensor& real_logits);
torch::Tensor discriminator_loss_fake(GanLoss loss, const torch::Tensor& fake_logits);

// G's loss on the logits D gives its samples.
// nonsaturating:   -log D(G(z)) = softplus(-fake).
// minimax:         log(1 - D(G(z))) = -softplus(fake).
// wgan-gp, hinge:  -fake.
// lsgan:           0.5 (fake - 1)^2.
torch::Tensor generator_loss(GanLoss loss, const torch::Tensor& fake_logits);

// Relativistic average GAN (Jolicoeur-Martineau 2019), as ESRGAN uses it: D judges whether a real
// image is more realistic than the average fake, and a fake less realistic than the average real.
// With r = real - mean(fake) and f = fake - mean(real) (binary cross-entropy on logits):
// D: (softplus(-r).mean() + softplus(f).mean()) / 2   (targets: r real, f fake)
// G: (softplus(r).mean() + softplus(-f).mean()) / 2   (targets swapped)
// For identical real and fake logits that are all equal, both are log 2.
torch::Tensor relativistic_discriminator_loss(const torch::Tensor& real_logits, const torch::Tensor& fake_logits);
torch::Tensor relativistic_generator_loss(const torch::Tensor& real_logits, const torch::Tensor& fake_logits);

}  // namespace synthgen::losses
