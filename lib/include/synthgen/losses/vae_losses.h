// The terms of a VAE's evidence lower bound (Kingma & Welling 2014), per image, in nats:
//   ELBO(x) = E_q[log p(x|z)] - KL(q(z|x) || N(0, I)) <= log p(x).
// Pixels enter the likelihoods scaled to [0, 1].
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace synthgen::losses {

// KL(N(mu, exp(logvar)) || N(0, I)) in closed form, summed over the latent: [B, D] -> [B].
torch::Tensor kl_to_standard_normal(const torch::Tensor& mu, const torch::Tensor& logvar);

// -log p(y | logits) of independent Bernoulli pixels with targets y in [0, 1], summed per image:
// [B, ...] -> [B]. (For grey levels this is the usual cross-entropy, not a normalised density.)
torch::Tensor bernoulli_nll(const torch::Tensor& logits, const torch::Tensor& target);

// -log N(y; mean, sigma^2) summed per image, sigma = exp(log_sigma) (broadcast): [B, ...] -> [B].
torch::Tensor gaussian_nll(const torch::Tensor& mean, const torch::Tensor& log_sigma, const torch::Tensor& target);

// Bits per dimension of a negative log-likelihood of `nats` per image over `dims` values. For
// "gaussian" (a density over [0, 1]) the 8-bit bins of width 1/255 add dims * ln 255 nats, so
// that the figure is a discrete code length like "bernoulli"'s.
double bits_per_dim(double nats, std::int64_t dims, const std::string& likelihood);

}  // namespace synthgen::losses
