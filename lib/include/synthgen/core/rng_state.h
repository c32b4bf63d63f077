// Seeding and saving the default random generators, for reproducible runs and exact resume.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen {

// Seeds LibTorch's default CPU generator and, where present, every CUDA device's.
void seed_everything(std::uint64_t seed);

// The state of the default generator of `device` (CPU, or the given CUDA device) as a uint8
// tensor, and its inverse.
torch::Tensor get_rng_state(const torch::Device& device);
void set_rng_state(const torch::Device& device, const torch::Tensor& state);

}  // namespace synthgen
