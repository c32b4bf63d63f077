#include "synthgen/losses/gan_losses.h"

#include <fmt/format.h>

#include <stdexcept>

#include "synthgen/core/error.h"

namespace synthgen::losses {

namespace F = torch::nn::functional;

GanLoss parse_gan_loss(const std::string& name) {
  if (name == "nonsaturating") return GanLoss::kNonSaturating;
  if (name == "minimax") return GanLoss::kMinimax;
  if (name == "wgan-gp") return GanLoss::kWganGp;
  if (name == "hinge") return GanLoss::kHinge;
  if (name == "lsgan") return GanLoss::kLsgan;
  throw ConfigError(
      fmt::format("train.loss: expected nonsaturating, minimax, wgan-gp, hinge or lsgan, got '{}'", name));
}

bool needs_gradient_penalty(GanLoss loss) { return loss == GanLoss::kWganGp; }

torch::Tensor discriminator_loss_real(GanLoss loss, const torch::Tensor& real_logits) {
  switch (loss) {
    case GanLoss::kNonSaturating:
    case GanLoss::kMinimax:
      return F::softplus(-real_logits).mean();
    case GanLoss::kWganGp:
      return -real_logits.mean();
    case GanLoss::kHinge:
      return torch::relu(1 - real_logits).mean();
    case GanLoss::kLsgan:
      return 0.5 * (real_logits - 1).square().mean();
  }
  throw std::logic_error("discriminator_loss_real: unhandled GanLoss");
}

torch::Tensor discriminator_loss_fake(GanLoss loss, const torch::Tensor& fake_logits) {
  switch (loss) {
    case GanLoss::kNonSaturating:
    case GanLoss::kMinimax:
      return F::softplus(fake_logits).mean();
    case GanLoss::kWganGp:
      return fake_logits.mean();
    case GanLoss::kHinge:
      return torch::relu(1 + fake_logits).mean();
    case GanLoss::kLsgan:
      return 0.5 * fake_logits.square().mean();
  }
  throw std::logic_error("discriminator_loss_fake: unhandled GanLoss");
}

torch::Tensor discriminator_loss(GanLoss loss, const torch::Tensor& real_logits, const torch::Tensor& fake_logits) {
  return discriminator_loss_real(loss, real_logits) + discriminator_loss_fake(loss, fake_logits);
}

torch::Tensor generator_loss(GanLoss loss, const torch::Tensor& fake_logits) {
  switch (loss) {
    case GanLoss::kNonSaturating:
      return F::softplus(-fake_logits).mean();
    case GanLoss::kMinimax:
      return -F::softplus(fake_logits).mean();
    case GanLoss::kWganGp:
    case GanLoss::kHinge:
      return -fake_logits.mean();
    case GanLoss::kLsgan:
      return 0.5 * (fake_logits - 1).square().mean();
  }
  throw std::logic_error("generator_loss: unhandled GanLoss");
}

torch::Tensor relativistic_discriminator_loss(const torch::Tensor& real_logits, const torch::Tensor& fake_logits) {
  const torch::Tensor real_vs_fake = real_logits - fake_logits.mean();
  const torch::Tensor fake_vs_real = fake_logits - real_logits.mean();
  return 0.5 * (F::softplus(-real_vs_fake).mean() + F::softplus(fake_vs_real).mean());
}

torch::Tensor relativistic_generator_loss(const torch::Tensor& real_logits, const torch::Tensor& fake_logits) {
  const torch::Tensor real_vs_fake = real_logits - fake_logits.mean();
  const torch::Tensor fake_vs_real = fake_logits - real_logits.mean();
  return 0.5 * (F::softplus(real_vs_fake).mean() + F::softplus(-fake_vs_real).mean());
}

}  // namespace synthgen::losses
