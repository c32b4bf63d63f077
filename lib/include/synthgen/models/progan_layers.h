// The layers of ProGAN (Karras et al. 2018) and of StyleGAN's options (Karras et al. 2019):
// equalized-learning-rate convolution and dense layers, pixel norm, minibatch standard deviation,
// the mapping network, style modulation (AdaIN) and per-pixel noise inputs.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::models {

// He's gain for layers followed by a (leaky) ReLU, as ProGAN uses it: sqrt(2).
constexpr double kHeGain = 1.4142135623730951;

// Equalized learning rate: weights are stored N(0, 1 / lr_multiplier) and multiplied at every
// forward by scale() = gain / sqrt(fan_in) * lr_multiplier, so that Adam moves every layer at the
// same relative speed whatever its fan-in. The bias starts at 0 and is multiplied by lr_multiplier.
struct EqualizedConv2dOptions {
  EqualizedConv2dOptions(std::int64_t in, std::int64_t out, std::int64_t kernel)
      : in_channels_(in), out_channels_(out), kernel_size_(kernel) {}
  TORCH_ARG(std::int64_t, in_channels);
  TORCH_ARG(std::int64_t, out_channels);
  TORCH_ARG(std::int64_t, kernel_size);
  TORCH_ARG(double, gain) = kHeGain;  // 1 for layers with no activation after them (toRGB)
  TORCH_ARG(double, lr_multiplier) = 1.0;
  TORCH_ARG(bool, bias) = true;
};

// A stride-1 convolution padded to keep the size (padding kernel_size / 2).
class EqualizedConv2dImpl : public torch::nn::Cloneable<EqualizedConv2dImpl> {
 public:
  explicit EqualizedConv2dImpl(const EqualizedConv2dOptions& options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& input);
  // The constant the stored weight is multiplied by: gain / sqrt(in * k * k) * lr_multiplier.
  double scale() const;

  EqualizedConv2dOptions options;
  torch::Tensor weight;  // [out, in, k, k]
  torch::Tensor bias;    // [out] or undefined
};
TORCH_MODULE(EqualizedConv2d);

struct EqualizedLinearOptions {
  EqualizedLinearOptions(std::int64_t in, std::int64_t out) : in_features_(in), out_features_(out) {}
  TORCH_ARG(std::int64_t, in_features);
  TORCH_ARG(std::int64_t, out_features);
  TORCH_ARG(double, gain) = kHeGain;
  TORCH_ARG(double, lr_multiplier) = 1.0;  // StyleGAN's mapping network uses 0.01
  TORCH_ARG(bool, bias) = true;
};

class EqualizedLinearImpl : public torch::nn::Cloneable<EqualizedLinearImpl> {
 public:
  explicit EqualizedLinearImpl(const EqualizedLinearOptions& options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& input);
  // gain / sqrt(in_features) * lr_multiplier.
  double scale() const;

  EqualizedLinearOptions options;
  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out] or undefined
};
TORCH_MODULE(EqualizedLinear);

// x / sqrt(mean over channels (dim 1) of x^2 + 1e-8): unit mean square per pixel (or per row of
// a [B, C] matrix).
class PixelNormImpl : public torch::nn::Cloneable<PixelNormImpl> {
 public:
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& input);
};
TORCH_MODULE(PixelNorm);

// Appends one channel to [B, C, H, W]: the standard deviation of each feature and pixel over a
// group of min(group_size, B) images, averaged to one number per group and repeated over H x W.
// Image i belongs to group i % (B / G), as in ProGAN's and StyleGAN's code; when B is not a
// multiple of min(group_size, B) the group shrinks to the largest size that divides B.
// Population (biased) standard deviation, sqrt(var + 1e-8).
class MinibatchStddevImpl : public torch::nn::Cloneable<MinibatchStddevImpl> {
 public:
  explicit MinibatchStddevImpl(std::int64_t group_size = 4) : group_size_(group_size) {}
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& input);

 private:
  std::int64_t group_size_;
};
TORCH_MODULE(MinibatchStddev);

// StyleGAN's mapping network z -> w: PixelNorm, then `layers` dense layers of width dim each
// followed by LeakyReLU(0.2). Dense layers learn at lr_multiplier (StyleGAN: 0.01) of the rest.
class MappingNetworkImpl : public torch::nn::Cloneable<MappingNetworkImpl> {
 public:
  MappingNetworkImpl(std::int64_t dim, int layers, double lr_multiplier = 0.01);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& z);

 private:
  std::int64_t dim_;
  int num_layers_;
  double lr_multiplier_;
  torch::nn::Sequential layers_{nullptr};
};
TORCH_MODULE(MappingNetwork);

// AdaIN: each channel of x [B, C, H, W] is normalised over H x W to zero mean and unit variance,
// then scaled by (1 + s) and shifted by b, where [s, b] = affine(w) (dense, gain 1, bias 0), so
// that at initialisation the style is close to the identity.
class StyleModulationImpl : public torch::nn::Cloneable<StyleModulationImpl> {
 public:
  StyleModulationImpl(std::int64_t w_dim, std::int64_t channels);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w);

 private:
  std::int64_t w_dim_;
  std::int64_t channels_;
  EqualizedLinear affine_{nullptr};
};
TORCH_MODULE(StyleModulation);

// x + weight[c] * noise, with one N(0, 1) noise map [B, 1, H, W] drawn from the default RNG at
// every forward (in eval mode too: seed the RNG for repeatable samples). The per-channel weights
// start at 0, so the layer starts as the identity.
class NoiseInputImpl : public torch::nn::Cloneable<NoiseInputImpl> {
 public:
  explicit NoiseInputImpl(std::int64_t channels);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight;  // [channels]

 private:
  std::int64_t channels_;
};
TORCH_MODULE(NoiseInput);

// LeakyReLU with ProGAN's slope 0.2.
torch::Tensor progan_leaky_relu(const torch::Tensor& x);

}  // namespace synthgen::models
