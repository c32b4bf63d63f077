#include "synthgen/losses/penalties.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <vector>

#include "synthgen/core/error.h"

namespace synthgen::losses {
namespace {

// d critic(x) / d x for a leaf x that requires grad, kept in the graph (create_graph) so that
// the penalty built from it can be differentiated again with respect to the critic's parameters.
torch::Tensor critic_input_gradient(const Critic& critic, const torch::Tensor& x) {
  const torch::Tensor logits = critic(x);
  return torch::autograd::grad({logits}, {x}, {torch::ones_like(logits)},
                               /*retain_graph=*/true, /*create_graph=*/true)[0];
}

}  // namespace

torch::Tensor gradient_penalty(const Critic& critic, const torch::Tensor& real, const torch::Tensor& fake,
                               const torch::Tensor& epsilon) {
  if (real.sizes() != fake.sizes()) {
    throw UsageError(fmt::format("gradient_penalty: fake has shape [{}], expected real's [{}]",
                                 fmt::join(fake.sizes(), ", "), fmt::join(real.sizes(), ", ")));
  }
  const std::int64_t batch = real.size(0);
  if (epsilon.numel() != batch) {
    throw UsageError(
        fmt::format("gradient_penalty: epsilon has {} values, expected {}, one per sample", epsilon.numel(), batch));
  }
  std::vector<std::int64_t> per_sample(real.dim(), 1);
  per_sample[0] = batch;
  const torch::Tensor eps = epsilon.to(real.options()).reshape(per_sample);
  const torch::Tensor mixed = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(true);
  const torch::Tensor grad_norm = critic_input_gradient(critic, mixed).flatten(1).norm(2, 1);
  return (grad_norm - 1).square().mean();
}

torch::Tensor gradient_penalty(const Critic& critic, const torch::Tensor& real, const torch::Tensor& fake) {
  return gradient_penalty(critic, real, fake, torch::rand({real.size(0)}, real.options()));
}

torch::Tensor r1_penalty(const Critic& critic, const torch::Tensor& real) {
  const torch::Tensor x = real.detach().requires_grad_(true);
  return critic_input_gradient(critic, x).flatten(1).square().sum(1).mean();
}

torch::Tensor drift_penalty(const torch::Tensor& real_logits) { return real_logits.square().mean(); }

}  // namespace synthgen::losses
