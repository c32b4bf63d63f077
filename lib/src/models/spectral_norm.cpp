#include "synthgen/models/spectral_norm.h"

namespace synthgen::models {
namespace {

constexpr double kEps = 1e-12;

torch::Tensor unit(const torch::Tensor& x) { return x / (x.norm() + kEps); }

}  // namespace

void SpectralNormState::init(torch::nn::Module& owner, const torch::Tensor& weight) {
  const torch::Tensor matrix = weight.detach().reshape({weight.size(0), -1});
  u_ = owner.register_buffer("sn_u", unit(torch::randn({matrix.size(0)})));
  v_ = owner.register_buffer("sn_v", unit(torch::randn({matrix.size(1)})));
}

torch::Tensor SpectralNormState::normalize(const torch::Tensor& weight, bool training) {
  const torch::Tensor matrix = weight.reshape({weight.size(0), -1});
  if (training) {
    torch::NoGradGuard no_grad;
    // In place, so that the registered buffers (and checkpoints) follow.
    v_.copy_(unit(torch::mv(matrix.t(), u_)));
    u_.copy_(unit(torch::mv(matrix, v_)));
  }
  // u and v are constants here; the gradient flows through the weight only, as in PyTorch.
  const torch::Tensor sigma = torch::dot(u_, torch::mv(matrix, v_));
  return weight / sigma;
}

SpectralConv2dImpl::SpectralConv2dImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride_,
                                       std::int64_t padding_, bool bias_)
    : in_channels(in), out_channels(out), kernel_size(kernel), stride(stride_), padding(padding_), bias(bias_) {
  reset();
}

void SpectralConv2dImpl::reset() {
  conv = register_module(
      "conv",
      torch::nn::Conv2d(
          torch::nn::Conv2dOptions(in_channels, out_channels, kernel_size).stride(stride).padding(padding).bias(bias)));
  state_ = SpectralNormState();
  state_.init(*this, conv->weight);
}

torch::Tensor SpectralConv2dImpl::forward(const torch::Tensor& input) {
  const torch::Tensor weight = state_.normalize(conv->weight, is_training());
  return torch::conv2d(input, weight, bias ? conv->bias : torch::Tensor(), {stride, stride}, {padding, padding});
}

SpectralLinearImpl::SpectralLinearImpl(std::int64_t in, std::int64_t out) : in_features(in), out_features(out) {
  reset();
}

void SpectralLinearImpl::reset() {
  linear = register_module("linear", torch::nn::Linear(in_features, out_features));
  state_ = SpectralNormState();
  state_.init(*this, linear->weight);
}

torch::Tensor SpectralLinearImpl::forward(const torch::Tensor& input) {
  return torch::nn::functional::linear(input, state_.normalize(linear->weight, is_training()), linear->bias);
}

double largest_singular_value(const torch::Tensor& weight) {
  const torch::Tensor matrix = weight.detach().to(torch::kDouble).reshape({weight.size(0), -1});
  return at::linalg_svdvals(matrix).max().item<double>();
}

}  // namespace synthgen::models
