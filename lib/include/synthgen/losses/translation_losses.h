// The losses of the translation families (pix2pix, cyclegan), each a small pure function of
// tensors in [-1, 1] (images) or of PatchGAN logits [B, 1, h, w] (any shape: means over all).
#pragma once

#include <torch/torch.h>

#include "synthgen/losses/gan_losses.h"

namespace synthgen::losses {

// Mean absolute difference: pix2pix's reconstruction term and the cycle/identity terms.
torch::Tensor l1_distance(const torch::Tensor& output, const torch::Tensor& target);

// D's loss on patch logits, halved as both papers' code does (D learns at half G's rate):
// 0.5 (real term + fake term). The terms are those of discriminator_loss_real/_fake, except that
// lsgan uses the full squared errors (real - 1)^2 and fake^2 of CycleGAN's MSE loss.
torch::Tensor patch_discriminator_loss(GanLoss loss, const torch::Tensor& real_logits,
                                       const torch::Tensor& fake_logits);

// G's adversarial loss on patch logits: generator_loss, except that lsgan is (fake - 1)^2 (the
// CycleGAN code's MSE, so that the weights of the cycle and identity terms mean what they did there).
torch::Tensor patch_generator_loss(GanLoss loss, const torch::Tensor& fake_logits);

// Cycle consistency (Zhu et al. 2017, eq. 2): weight * (|G_BA(G_AB(a)) - a| + |G_AB(G_BA(b)) - b|),
// given the two reconstructions. 0 when both generators are the identity.
torch::Tensor cycle_loss(const torch::Tensor& real_a, const torch::Tensor& reconstructed_a, const torch::Tensor& real_b,
                         const torch::Tensor& reconstructed_b, double weight);

// Identity loss (Zhu et al. 2017, section 5.2): weight * (|G_AB(b) - b| + |G_BA(a) - a|): each
// generator should leave images of its target domain alone. `ab_of_b` is G_AB(b), `ba_of_a` G_BA(a).
torch::Tensor identity_loss(const torch::Tensor& real_a, const torch::Tensor& ba_of_a, const torch::Tensor& real_b,
                            const torch::Tensor& ab_of_b, double weight);

}  // namespace synthgen::losses
