#include "synthgen/models/unet_blocks.h"

#include <cmath>

#include "synthgen/models/blocks.h"

namespace synthgen::models {
namespace {

torch::nn::Conv2d conv1x1(std::int64_t in, std::int64_t out) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1));
}

}  // namespace

torch::Tensor timestep_embedding(const torch::Tensor& t, std::int64_t dim) {
  const std::int64_t half = dim / 2;
  const auto options = torch::TensorOptions().dtype(torch::kFloat).device(t.device());
  const torch::Tensor frequencies =
      torch::exp(-std::log(10000.0) * torch::arange(half, options) / static_cast<double>(half));
  const torch::Tensor angles = t.to(torch::kFloat).unsqueeze(1) * frequencies.unsqueeze(0);
  torch::Tensor embedding = torch::cat({torch::sin(angles), torch::cos(angles)}, 1);
  if (dim % 2 == 1) embedding = torch::nn::functional::pad(embedding, torch::nn::functional::PadFuncOptions({0, 1}));
  return embedding;
}

std::int64_t norm_groups(std::int64_t channels) {
  for (std::int64_t groups = std::min<std::int64_t>(32, channels / 4); groups > 1; --groups) {
    if (channels % groups == 0) return groups;
  }
  return 1;
}

ResidualBlockImpl::ResidualBlockImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t embedding_dim,
                                     double dropout) {
  norm1_ = register_module("norm1", torch::nn::GroupNorm(norm_groups(in_channels), in_channels));
  conv1_ = register_module("conv1", conv3x3(in_channels, out_channels));
  embedding_projection_ = register_module("embedding_projection", torch::nn::Linear(embedding_dim, 2 * out_channels));
  norm2_ = register_module("norm2", torch::nn::GroupNorm(norm_groups(out_channels), out_channels));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
  conv2_ = register_module("conv2", conv3x3(out_channels, out_channels));
  // A block starts as the identity (its last conv is zero), which keeps deep U-Nets trainable.
  torch::NoGradGuard no_grad;
  conv2_->weight.zero_();
  conv2_->bias.zero_();
  if (in_channels != out_channels) skip_ = register_module("skip", conv1x1(in_channels, out_channels));
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& embedding) {
  const torch::Tensor h = conv1_->forward(torch::silu(norm1_->forward(x)));
  // Scale and shift after the norm: an added per-channel bias before it would be removed by the
  // group means (entirely when a group is one channel).
  const std::vector<torch::Tensor> scale_shift =
      embedding_projection_->forward(torch::silu(embedding)).unsqueeze(-1).unsqueeze(-1).chunk(2, 1);
  const torch::Tensor modulated = norm2_->forward(h) * (1.0 + scale_shift[0]) + scale_shift[1];
  const torch::Tensor out = conv2_->forward(dropout_->forward(torch::silu(modulated)));
  return (skip_ ? skip_->forward(x) : x) + out;
}

SelfAttentionImpl::SelfAttentionImpl(std::int64_t channels) {
  norm_ = register_module("norm", torch::nn::GroupNorm(norm_groups(channels), channels));
  qkv_ = register_module("qkv", conv1x1(channels, 3 * channels));
  projection_ = register_module("projection", conv1x1(channels, channels));
  torch::NoGradGuard no_grad;
  projection_->weight.zero_();
  projection_->bias.zero_();
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x) {
  const std::int64_t batch = x.size(0);
  const std::int64_t channels = x.size(1);
  const std::vector<torch::Tensor> qkv = qkv_->forward(norm_->forward(x)).reshape({batch, 3, channels, -1}).unbind(1);
  const torch::Tensor q = qkv[0].transpose(1, 2);  // [B, HW, C]
  const torch::Tensor k = qkv[1];                  // [B, C, HW]
  const torch::Tensor v = qkv[2].transpose(1, 2);  // [B, HW, C]
  const torch::Tensor weights = torch::softmax(torch::bmm(q, k) / std::sqrt(static_cast<double>(channels)), -1);
  const torch::Tensor attended = torch::bmm(weights, v).transpose(1, 2).reshape(x.sizes());
  return x + projection_->forward(attended);
}

}  // namespace synthgen::models
