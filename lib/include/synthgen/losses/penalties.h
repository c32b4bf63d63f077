// Regularisers on the discriminator (critic), for training loops where D is any callable. Each
// returns an unweighted scalar; the caller multiplies it by its config weight.
#pragma once

#include <torch/torch.h>

#include <functional>

namespace synthgen::losses {

// Maps images [B, ...] to logits [B].
using Critic = std::function<torch::Tensor(const torch::Tensor& images)>;

// WGAN-GP (Gulrajani et al. 2017): mean over the batch of (||d critic(x̂) / d x̂||_2 - 1)^2 at
// x̂ = epsilon * real + (1 - epsilon) * fake, with epsilon [B] or [B, 1, 1, 1] in [0, 1]. x̂ is cut
// from the graphs of real and fake, so the penalty trains the critic only. The input gradient is
// taken with create_graph, so backward through the penalty is a double backward through the
// critic. The caller multiplies the result by train.gp_weight.
torch::Tensor gradient_penalty(const Critic& critic, const torch::Tensor& real, const torch::Tensor& fake,
                               const torch::Tensor& epsilon);

// As above with epsilon ~ U[0, 1) per sample from the default generator of real's device.
torch::Tensor gradient_penalty(const Critic& critic, const torch::Tensor& real, const torch::Tensor& fake);

// R1 (Mescheder et al. 2018): mean over the batch of ||d critic(real) / d real||_2^2, cut from
// real's graph and differentiable with respect to the critic's parameters. The caller multiplies
// it by train.r1_gamma / 2.
torch::Tensor r1_penalty(const Critic& critic, const torch::Tensor& real);

// ProGAN's drift term (Karras et al. 2018): mean(real_logits^2), which keeps the critic's output
// near zero. The caller multiplies it by train.drift (ProGAN: 0.001).
torch::Tensor drift_penalty(const torch::Tensor& real_logits);

}  // namespace synthgen::losses
