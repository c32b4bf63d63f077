// Pieces shared by the image-to-image translation families (pix2pix, cyclegan): the normalisation
// layer chosen by model.norm, their weight initialisation, and padding an image to the network's
// stride.
#pragma once

#include <torch/torch.h>

#include <string>

namespace synthgen::models {

// model.norm as a layer: "batch" (BatchNorm2d), "instance" (InstanceNorm2d without affine
// parameters or running statistics, as in the pix2pix/CycleGAN code) or "none" (identity).
torch::nn::AnyModule translation_norm(const std::string& norm, std::int64_t channels);

// Convolutions are biased only without BatchNorm, whose shift makes a bias redundant.
inline bool translation_conv_bias(const std::string& norm) { return norm != "batch"; }

// The initialisation of both papers' code: conv weights ~ N(0, 0.02), biases 0, BatchNorm scales
// ~ N(1, 0.02). Draws from the default generator.
void init_translation_weights(torch::nn::Module& module);

}  // namespace synthgen::models
