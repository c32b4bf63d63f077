#include "synthgen/losses/vae_losses.h"

#include <cmath>

namespace synthgen::losses {

torch::Tensor kl_to_standard_normal(const torch::Tensor& mu, const torch::Tensor& logvar) {
  return 0.5 * (mu.square() + logvar.exp() - 1.0 - logvar).sum(1);
}

torch::Tensor bernoulli_nll(const torch::Tensor& logits, const torch::Tensor& target) {
  return torch::binary_cross_entropy_with_logits(logits, target, {}, {}, at::Reduction::None).flatten(1).sum(1);
}

torch::Tensor gaussian_nll(const torch::Tensor& mean, const torch::Tensor& log_sigma, const torch::Tensor& target) {
  const torch::Tensor z = (target - mean) * torch::exp(-log_sigma);
  const torch::Tensor per_value = 0.5 * z.square() + log_sigma + 0.5 * std::log(2.0 * M_PI);
  return per_value.expand_as(target).flatten(1).sum(1);
}

double bits_per_dim(double nats, std::int64_t dims, const std::string& likelihood) {
  const double d = static_cast<double>(dims);
  const double discrete = likelihood == "gaussian" ? nats + d * std::log(255.0) : nats;
  return discrete / (d * std::log(2.0));
}

}  // namespace synthgen::losses
