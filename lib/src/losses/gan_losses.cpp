#include "synthgen/losses/gan_losses.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"

namespace synthgen::losses {

GanLoss parse_gan_loss(const std::string& name) {
  if (name == "nonsaturating") return GanLoss::kNonSaturating;
  if (name == "minimax") return GanLoss::kMinimax;
  throw ConfigError(fmt::format("train.loss: expected nonsaturating or minimax, got '{}'", name));
}

torch::Tensor discriminator_loss_real(GanLoss /*loss*/, const torch::Tensor& real_logits) {
  return torch::nn::functional::softplus(-real_logits).mean();
}

torch::Tensor discriminator_loss_fake(GanLoss /*loss*/, const torch::Tensor& fake_logits) {
  return torch::nn::functional::softplus(fake_logits).mean();
}

torch::Tensor discriminator_loss(GanLoss loss, const torch::Tensor& real_logits,
                                 const torch::Tensor& fake_logits) {
  return discriminator_loss_real(loss, real_logits) + discriminator_loss_fake(loss, fake_logits);
}

torch::Tensor generator_loss(GanLoss loss, const torch::Tensor& fake_logits) {
  namespace F = torch::nn::functional;
  switch (loss) {
    case GanLoss::kNonSaturating:
      return F::softplus(-fake_logits).mean();
    case GanLoss::kMinimax:
      return -F::softplus(fake_logits).mean();
  }
  throw std::logic_error("generator_loss: unhandled GanLoss");
}

}  // namespace synthgen::losses
