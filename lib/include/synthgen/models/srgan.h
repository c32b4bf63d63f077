// The srgan family: super-resolution generators and the VGG-style discriminator of
// SRGAN / ESRGAN. G maps LR images [B, C, h, w] in [-1, 1] to [B, C, s*h, s*w]; its trunk is either
// SRResNet's residual blocks (Ledig et al. 2017, without BatchNorm as in EDSR and ESRGAN) or
// ESRGAN's residual-in-residual dense blocks (Wang et al. 2018), followed by pixel-shuffle
// upsampling (Shi et al. 2016) in x2 steps. Being fully convolutional, G takes any image size.
#pragma once

#include <torch/torch.h>

#include "synthgen/config/config.h"

namespace synthgen::models {

// Residual block conv-ReLU-conv with an identity skip, no normalisation (EDSR).
class SrResidualBlockImpl : public torch::nn::Module {
 public:
  explicit SrResidualBlockImpl(int channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
};
TORCH_MODULE(SrResidualBlock);

// ESRGAN's dense block: five 3x3 convolutions, each seeing every earlier output (growth channels
// each), LeakyReLU 0.2, output scaled by 0.2 and added to the input.
class DenseBlockImpl : public torch::nn::Module {
 public:
  DenseBlockImpl(int channels, int growth);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  std::vector<torch::nn::Conv2d> convs_;
};
TORCH_MODULE(DenseBlock);

// Residual-in-residual dense block: three dense blocks, their output scaled by 0.2 and added.
class RrdbImpl : public torch::nn::Module {
 public:
  RrdbImpl(int channels, int growth);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  DenseBlock block1_{nullptr}, block2_{nullptr}, block3_{nullptr};
};
TORCH_MODULE(Rrdb);

// x2 upsampling step: conv to 4x the channels, pixel shuffle, LeakyReLU 0.2.
class PixelShuffleUpImpl : public torch::nn::Module {
 public:
  explicit PixelShuffleUpImpl(int channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::PixelShuffle shuffle_{nullptr};
};
TORCH_MODULE(PixelShuffleUp);

// G: head conv, trunk (model.sr_blocks blocks of model.sr_block) and a conv with a skip over the
// trunk, log2(model.sr_scale) pixel-shuffle steps, two convs to data.channels. With
// model.sr_bicubic_skip the output is added to the bicubic enlargement of the input.
class SrGeneratorImpl : public torch::nn::Module {
 public:
  explicit SrGeneratorImpl(const Config& config);
  torch::Tensor forward(const torch::Tensor& lr);
  int scale() const { return scale_; }
  int channels() const { return channels_; }

 private:
  int scale_;
  int channels_;
  bool bicubic_skip_;
  torch::nn::Conv2d head_{nullptr};
  torch::nn::Sequential trunk_{nullptr};
  torch::nn::Conv2d trunk_conv_{nullptr};
  torch::nn::Sequential upsample_{nullptr};
  torch::nn::Conv2d hr_conv_{nullptr}, out_conv_{nullptr};
};
TORCH_MODULE(SrGenerator);

// ESRGAN's VGG-style D for train.sr_patch squares: a 3x3 and a strided 4x4 conv per level
// (channels model.base_channels doubling up to 8x), as many levels as keep the side >= 4 (at most
// 5), then two linear layers (100 units, LeakyReLU 0.2) to one logit per image [B].
// BatchNorm after every conv but the first when model.norm is batch.
class SrDiscriminatorImpl : public torch::nn::Module {
 public:
  explicit SrDiscriminatorImpl(const Config& config);
  torch::Tensor forward(const torch::Tensor& images);

 private:
  int patch_;
  torch::nn::Sequential features_{nullptr};
  torch::nn::Sequential classifier_{nullptr};
};
TORCH_MODULE(SrDiscriminator);

}  // namespace synthgen::models
