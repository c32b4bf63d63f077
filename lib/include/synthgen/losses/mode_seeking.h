// Mode-seeking regulariser for generators (Mao et al. 2019, MSGAN): a conditional GAN tends to
// map many latents of one class to nearly the same image; this term grows as the images of two
// different latents of the same class come closer, relative to the latents' own distance.
#pragma once

#include <torch/torch.h>

namespace synthgen::losses {

// For each sample, the index of another sample with the same label: the next one of its class in
// batch order, wrapping around within the class. A sample alone in its class is its own partner.
// Undefined labels (an unconditional model) make one class of the whole batch.
torch::Tensor same_class_partners(const torch::Tensor& labels, std::int64_t batch);

// 1 / (r + 1e-5) with r = mean |G(z_i) - G(z_j)| / mean |z_i - z_j| over the pairs (i, partner
// of i) that are not a sample with itself; 0 when there is no such pair. Differentiable with
// respect to images; the caller multiplies it by train.mode_seeking.
torch::Tensor mode_seeking_penalty(const torch::Tensor& images, const torch::Tensor& latents,
                                   const torch::Tensor& labels);

}  // namespace synthgen::losses
