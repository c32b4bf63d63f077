// pix2pix (Isola et al. 2017): a U-Net generator with skip connections and dropout, and a 70x70
// PatchGAN discriminator that judges overlapping patches. The PatchGAN is also CycleGAN's D.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "synthgen/config/config.h"
#include "synthgen/models/blocks.h"

namespace synthgen::models {

// The U-Net's number of halvings for a config: model.unet_levels, or when 0, as many as
// data.image_size allows (while the side stays even), at most 8 (256 px -> 1 x 1 in the middle).
int unet_levels_for(const Pix2pixSettings& pix2pix, int image_size);

// U-Net G: `levels` stride-2 4x4 convolutions down (LeakyReLU 0.2, norm except at the ends),
// mirrored 4x4 transposed convolutions up (ReLU, norm), each joined to the matching down
// features, tanh output. Widths base, 2 base, 4 base, then 8 base. Dropout 0.5 after the three
// up-convolutions nearest the middle: pix2pix's only noise source. Output shape = input shape
// for sides that are multiples of stride().
class UnetGeneratorImpl : public torch::nn::Module {
 public:
  UnetGeneratorImpl(int in_channels, int out_channels, int base_channels, int levels, const std::string& norm);
  torch::Tensor forward(const torch::Tensor& x);
  // Input sides must be multiples of this (2^levels).
  std::int64_t stride() const { return std::int64_t{1} << levels_; }
  int levels() const { return levels_; }

  static constexpr double kDropout = 0.5;

 private:
  int levels_;
  std::vector<torch::nn::Conv2d> down_;
  std::vector<torch::nn::AnyModule> down_norm_;
  std::vector<TransposedConv2d> up_;
  std::vector<torch::nn::AnyModule> up_norm_;
  std::vector<bool> up_dropout_;
};
TORCH_MODULE(UnetGenerator);

// Kernel and stride of each convolution of a fully convolutional network, input side first.
struct ConvGeometry {
  std::int64_t kernel;
  std::int64_t stride;
};

// The side of the input square that one output unit sees: r = 1, then for each layer from the
// output back, r = (r - 1) * stride + kernel.
std::int64_t receptive_field(const std::vector<ConvGeometry>& layers);

// PatchGAN D with 3 stride-2 layers: 4x4 convs of base, 2, 4 (stride 2) and 8 base (stride 1)
// channels, LeakyReLU 0.2, norm after all but the first, then a 4x4 conv to one logit per patch.
// Receptive field 70 x 70. Returns logits [B, 1, h, w].
class PatchDiscriminatorImpl : public torch::nn::Module {
 public:
  PatchDiscriminatorImpl(int in_channels, int base_channels, const std::string& norm);
  torch::Tensor forward(const torch::Tensor& x);
  std::vector<ConvGeometry> geometry() const;

 private:
  torch::nn::Sequential layers_{nullptr};
};
TORCH_MODULE(PatchDiscriminator);

}  // namespace synthgen::models
