#include "synthgen/models/progan_layers.h"

#include <cmath>

namespace synthgen::models {
namespace {

constexpr double kNormEpsilon = 1e-8;

// Stored weights are N(0, 1 / lr_multiplier): multiplied by lr_multiplier at run time they start
// N(0, 1), while Adam's steps on them shrink by lr_multiplier.
void init_equalized(torch::Tensor& weight, torch::Tensor& bias, double lr_multiplier) {
  torch::NoGradGuard no_grad;
  weight.normal_(0.0, 1.0 / lr_multiplier);
  if (bias.defined()) bias.zero_();
}

}  // namespace

EqualizedConv2dImpl::EqualizedConv2dImpl(const EqualizedConv2dOptions& options) : options(options) { reset(); }

void EqualizedConv2dImpl::reset() {
  const std::int64_t k = options.kernel_size();
  weight = register_parameter("weight", torch::empty({options.out_channels(), options.in_channels(), k, k}));
  bias = options.bias() ? register_parameter("bias", torch::empty({options.out_channels()})) : torch::Tensor();
  init_equalized(weight, bias, options.lr_multiplier());
}

double EqualizedConv2dImpl::scale() const {
  const double fan_in = static_cast<double>(options.in_channels() * options.kernel_size() * options.kernel_size());
  return options.gain() / std::sqrt(fan_in) * options.lr_multiplier();
}

torch::Tensor EqualizedConv2dImpl::forward(const torch::Tensor& input) {
  const torch::Tensor b = bias.defined() ? bias * options.lr_multiplier() : torch::Tensor();
  return torch::conv2d(input, weight * scale(), b, /*stride=*/1,
                       /*padding=*/options.kernel_size() / 2);
}

EqualizedLinearImpl::EqualizedLinearImpl(const EqualizedLinearOptions& options) : options(options) { reset(); }

void EqualizedLinearImpl::reset() {
  weight = register_parameter("weight", torch::empty({options.out_features(), options.in_features()}));
  bias = options.bias() ? register_parameter("bias", torch::empty({options.out_features()})) : torch::Tensor();
  init_equalized(weight, bias, options.lr_multiplier());
}

double EqualizedLinearImpl::scale() const {
  return options.gain() / std::sqrt(static_cast<double>(options.in_features())) * options.lr_multiplier();
}

torch::Tensor EqualizedLinearImpl::forward(const torch::Tensor& input) {
  const torch::Tensor b = bias.defined() ? bias * options.lr_multiplier() : torch::Tensor();
  return torch::linear(input, weight * scale(), b);
}

torch::Tensor PixelNormImpl::forward(const torch::Tensor& input) {
  return input * torch::rsqrt(input.square().mean(1, /*keepdim=*/true) + kNormEpsilon);
}

torch::Tensor MinibatchStddevImpl::forward(const torch::Tensor& input) {
  const std::int64_t batch = input.size(0);
  std::int64_t group = std::min(group_size_, batch);
  while (batch % group != 0) --group;
  const std::int64_t height = input.size(2);
  const std::int64_t width = input.size(3);
  // [G, M, C, H, W]: image i = g * M + m is in group m.
  const torch::Tensor grouped = input.reshape({group, -1, input.size(1), height, width});
  const torch::Tensor centred = grouped - grouped.mean(0, /*keepdim=*/true);
  const torch::Tensor stddev = torch::sqrt(centred.square().mean(0) + kNormEpsilon);  // [M, C, H, W]
  const torch::Tensor per_group = stddev.mean({1, 2, 3}).view({-1, 1, 1, 1});         // [M, 1, 1, 1]
  return torch::cat({input, per_group.repeat({group, 1, height, width})}, 1);
}

MappingNetworkImpl::MappingNetworkImpl(std::int64_t dim, int layers, double lr_multiplier)
    : dim_(dim), num_layers_(layers), lr_multiplier_(lr_multiplier) {
  reset();
}

void MappingNetworkImpl::reset() {
  layers_ = register_module("layers", torch::nn::Sequential());
  layers_->push_back(PixelNorm());
  for (int i = 0; i < num_layers_; ++i) {
    layers_->push_back(EqualizedLinear(EqualizedLinearOptions(dim_, dim_).lr_multiplier(lr_multiplier_)));
    layers_->push_back(torch::nn::Functional(progan_leaky_relu));
  }
}

torch::Tensor MappingNetworkImpl::forward(const torch::Tensor& z) { return layers_->forward(z); }

StyleModulationImpl::StyleModulationImpl(std::int64_t w_dim, std::int64_t channels)
    : w_dim_(w_dim), channels_(channels) {
  reset();
}

void StyleModulationImpl::reset() {
  affine_ = register_module("affine", EqualizedLinear(EqualizedLinearOptions(w_dim_, 2 * channels_).gain(1.0)));
}

torch::Tensor StyleModulationImpl::forward(const torch::Tensor& x, const torch::Tensor& w) {
  const torch::Tensor centred = x - x.mean({2, 3}, /*keepdim=*/true);
  const torch::Tensor normalised =
      centred * torch::rsqrt(centred.square().mean({2, 3}, /*keepdim=*/true) + kNormEpsilon);
  const auto style = affine_->forward(w).view({-1, 2, channels_, 1, 1}).unbind(1);
  return normalised * (1 + style[0]) + style[1];
}

NoiseInputImpl::NoiseInputImpl(std::int64_t channels) : channels_(channels) { reset(); }

void NoiseInputImpl::reset() { weight = register_parameter("weight", torch::zeros({channels_})); }

torch::Tensor NoiseInputImpl::forward(const torch::Tensor& x) {
  const torch::Tensor noise = torch::randn({x.size(0), 1, x.size(2), x.size(3)}, x.options());
  return x + weight.view({1, -1, 1, 1}) * noise;
}

torch::Tensor progan_leaky_relu(const torch::Tensor& x) { return torch::leaky_relu(x, 0.2); }

}  // namespace synthgen::models
