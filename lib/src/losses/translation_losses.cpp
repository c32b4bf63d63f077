#include "synthgen/losses/translation_losses.h"

namespace synthgen::losses {

torch::Tensor l1_distance(const torch::Tensor& output, const torch::Tensor& target) {
  return (output - target).abs().mean();
}

torch::Tensor patch_discriminator_loss(GanLoss loss, const torch::Tensor& real_logits,
                                       const torch::Tensor& fake_logits) {
  if (loss == GanLoss::kLsgan) {
    return 0.5 * ((real_logits - 1.0).square().mean() + fake_logits.square().mean());
  }
  return 0.5 * (discriminator_loss_real(loss, real_logits) + discriminator_loss_fake(loss, fake_logits));
}

torch::Tensor patch_generator_loss(GanLoss loss, const torch::Tensor& fake_logits) {
  if (loss == GanLoss::kLsgan) return (fake_logits - 1.0).square().mean();
  return generator_loss(loss, fake_logits);
}

torch::Tensor cycle_loss(const torch::Tensor& real_a, const torch::Tensor& reconstructed_a, const torch::Tensor& real_b,
                         const torch::Tensor& reconstructed_b, double weight) {
  return weight * (l1_distance(reconstructed_a, real_a) + l1_distance(reconstructed_b, real_b));
}

torch::Tensor identity_loss(const torch::Tensor& real_a, const torch::Tensor& ba_of_a, const torch::Tensor& real_b,
                            const torch::Tensor& ab_of_b, double weight) {
  return weight * (l1_distance(ab_of_b, real_b) + l1_distance(ba_of_a, real_a));
}

}  // namespace synthgen::losses
