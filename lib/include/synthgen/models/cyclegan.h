// CycleGAN's generator (Zhu et al. 2017, after Johnson et al. 2016): a ResNet with reflection
// padding. Its discriminators are pix2pix's 70x70 PatchGAN (models/pix2pix.h) on one domain.
#pragma once

#include <torch/torch.h>

#include <string>

#include "synthgen/models/blocks.h"

namespace synthgen::models {

// Two 3x3 convolutions with reflection padding and norm, added to the input.
class ResnetBlockImpl : public torch::nn::Module {
 public:
  ResnetBlockImpl(std::int64_t channels, const std::string& norm);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Sequential body_{nullptr};
};
TORCH_MODULE(ResnetBlock);

// 7x7 conv (base channels), two stride-2 3x3 convs (2 and 4 base), `blocks` residual blocks, two
// stride-2 4x4 transposed convs back, 7x7 conv to `channels` and tanh. Every conv but the last is
// followed by norm and ReLU. Output shape = input shape for sides that are multiples of 4.
class ResnetGeneratorImpl : public torch::nn::Module {
 public:
  ResnetGeneratorImpl(int channels, int base_channels, int blocks, const std::string& norm);
  torch::Tensor forward(const torch::Tensor& x);
  static constexpr std::int64_t kStride = 4;

 private:
  torch::nn::Sequential layers_{nullptr};
};
TORCH_MODULE(ResnetGenerator);

}  // namespace synthgen::models
