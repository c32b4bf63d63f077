// Spectral normalisation (Miyato et al. 2018): a layer's weight divided by its largest singular
// value, estimated by one power iteration per training forward pass, as
// torch.nn.utils.spectral_norm does. LibTorch's C++ API has no such utility.
#pragma once

#include <torch/torch.h>

namespace synthgen::models {

// Holds the power iteration's vectors u and v (buffers, saved in checkpoints) for one weight.
class SpectralNormState {
 public:
  SpectralNormState() = default;
  // Registers the vectors "sn_u" and "sn_v" in `owner`, for a weight of out_features rows.
  void init(torch::nn::Module& owner, const torch::Tensor& weight);
  // weight / sigma; in training mode u and v first take one power-iteration step.
  torch::Tensor normalize(const torch::Tensor& weight, bool training);

 private:
  torch::Tensor u_;
  torch::Tensor v_;
};

// A Conv2d whose weight is spectrally normalised at every forward pass. The inner `conv` keeps
// the raw weight (initialisers find it as an ordinary Conv2d).
class SpectralConv2dImpl : public torch::nn::Cloneable<SpectralConv2dImpl> {
 public:
  SpectralConv2dImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                     bool bias);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& input);

  std::int64_t in_channels, out_channels, kernel_size, stride, padding;
  bool bias;
  torch::nn::Conv2d conv{nullptr};

 private:
  SpectralNormState state_;
};
TORCH_MODULE(SpectralConv2d);

// A Linear layer with a spectrally normalised weight.
class SpectralLinearImpl : public torch::nn::Cloneable<SpectralLinearImpl> {
 public:
  SpectralLinearImpl(std::int64_t in, std::int64_t out);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& input);

  std::int64_t in_features;
  std::int64_t out_features;
  torch::nn::Linear linear{nullptr};

 private:
  SpectralNormState state_;
};
TORCH_MODULE(SpectralLinear);

// The largest singular value of weight viewed as [rows, -1], exactly (for tests).
double largest_singular_value(const torch::Tensor& weight);

}  // namespace synthgen::models
