// U-Net pieces of the diffusion noise predictor (Ho et al. 2020, after the Wide-ResNet blocks of
// PixelCNN++): a sinusoidal time embedding, residual blocks with GroupNorm, SiLU and a per-block
// scale and shift from the embedding, and single-head self-attention over the pixels.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::models {

// Sinusoidal embedding of (possibly fractional) timesteps t [B] -> [B, dim], the positional
// encoding of Vaswani et al. (2017): half sines, half cosines over geometric frequencies.
torch::Tensor timestep_embedding(const torch::Tensor& t, std::int64_t dim);

// GroupNorm groups for `channels`: the largest divisor of channels that is at most 32 and leaves
// at least 4 channels per group (1 group below 8 channels).
std::int64_t norm_groups(std::int64_t channels);

// x + conv(SiLU(GN(h) * (1 + scale) + shift)) with h = conv(SiLU(GN(x))) and (scale, shift) a
// projection of the embedding (the scale-shift norm of Nichol & Dhariwal 2021), with a 1x1 skip
// when the channels change.
class ResidualBlockImpl : public torch::nn::Module {
 public:
  ResidualBlockImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t embedding_dim, double dropout);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& embedding);

 private:
  torch::nn::GroupNorm norm1_{nullptr};
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::Linear embedding_projection_{nullptr};
  torch::nn::GroupNorm norm2_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Conv2d conv2_{nullptr};
  torch::nn::Conv2d skip_{nullptr};  // only when in_channels != out_channels
};
TORCH_MODULE(ResidualBlock);

// x + proj(softmax(q k^T / sqrt(C)) v) over the H*W positions, q, k, v from GN(x) by 1x1 convs.
class SelfAttentionImpl : public torch::nn::Module {
 public:
  explicit SelfAttentionImpl(std::int64_t channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::GroupNorm norm_{nullptr};
  torch::nn::Conv2d qkv_{nullptr};
  torch::nn::Conv2d projection_{nullptr};
};
TORCH_MODULE(SelfAttention);

}  // namespace synthgen::models
