#include "synthgen/models/ddpm_unet.h"

#include <fmt/format.h>

#include "synthgen/models/blocks.h"

namespace synthgen::models {
namespace {

// The side of level i (stride-2 convs with padding 1 round up: 7 -> 4).
std::int64_t side_at_level(std::int64_t image_size, std::size_t level) {
  std::int64_t side = image_size;
  for (std::size_t i = 0; i < level; ++i) side = (side + 1) / 2;
  return side;
}

}  // namespace

UNetOptions unet_options(const Config& config) {
  UNetOptions options;
  options.image_size = config.data.image_size;
  options.channels = config.data.channels;
  options.base_channels = config.model.base_channels;
  options.channel_mults = config.model.channel_mults;
  options.res_blocks = config.ddpm.res_blocks;
  options.attention_max_size = config.ddpm.attention_max_size;
  options.dropout = config.ddpm.dropout;
  options.num_classes = config.model.num_classes;
  return options;
}

UNetImpl::UNetImpl(const UNetOptions& options) : options_(options) {
  const std::int64_t base = options.base_channels;
  embedding_dim_ = 4 * base;
  time_mlp1_ = register_module("time_mlp1", torch::nn::Linear(base, embedding_dim_));
  time_mlp2_ = register_module("time_mlp2", torch::nn::Linear(embedding_dim_, embedding_dim_));
  if (options.num_classes > 0) {
    label_embedding_ =
        register_module("label_embedding", torch::nn::Embedding(options.num_classes + 1, embedding_dim_));
  }
  input_conv_ = register_module("input_conv", conv3x3(options.channels, base));

  const std::size_t levels = options.channel_mults.size();
  std::vector<std::int64_t> skip_channels = {base};
  std::int64_t channels = base;
  for (std::size_t level = 0; level < levels; ++level) {
    Stage stage;
    const std::int64_t out = base * options.channel_mults[level];
    const bool attend = side_at_level(options.image_size, level) <= options.attention_max_size;
    for (int i = 0; i < options.res_blocks; ++i) {
      stage.blocks.push_back(register_module(fmt::format("down{}_block{}", level, i),
                                             ResidualBlock(channels, out, embedding_dim_, options.dropout)));
      stage.attention.push_back(attend
                                    ? register_module(fmt::format("down{}_attention{}", level, i), SelfAttention(out))
                                    : SelfAttention(nullptr));
      channels = out;
      skip_channels.push_back(channels);
    }
    if (level + 1 < levels) {
      stage.resample = register_module(fmt::format("down{}_resample", level), conv3x3(channels, channels, 2));
      skip_channels.push_back(channels);
    }
    down_.push_back(std::move(stage));
  }
  middle1_ = register_module("middle1", ResidualBlock(channels, channels, embedding_dim_, options.dropout));
  middle_attention_ = register_module("middle_attention", SelfAttention(channels));
  middle2_ = register_module("middle2", ResidualBlock(channels, channels, embedding_dim_, options.dropout));
  for (std::size_t step = 0; step < levels; ++step) {
    const std::size_t level = levels - 1 - step;
    Stage stage;
    const std::int64_t out = base * options.channel_mults[level];
    const bool attend = side_at_level(options.image_size, level) <= options.attention_max_size;
    for (int i = 0; i <= options.res_blocks; ++i) {
      const std::int64_t skip = skip_channels.back();
      skip_channels.pop_back();
      stage.blocks.push_back(register_module(fmt::format("up{}_block{}", level, i),
                                             ResidualBlock(channels + skip, out, embedding_dim_, options.dropout)));
      stage.attention.push_back(attend ? register_module(fmt::format("up{}_attention{}", level, i), SelfAttention(out))
                                       : SelfAttention(nullptr));
      channels = out;
    }
    if (level > 0) stage.resample = register_module(fmt::format("up{}_resample", level), conv3x3(channels, channels));
    up_.push_back(std::move(stage));
  }
  output_norm_ = register_module("output_norm", torch::nn::GroupNorm(norm_groups(channels), channels));
  output_conv_ = register_module("output_conv", conv3x3(channels, options.channels));
  torch::NoGradGuard no_grad;
  output_conv_->weight.zero_();
  output_conv_->bias.zero_();
}

torch::Tensor UNetImpl::forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& labels) {
  torch::Tensor embedding =
      time_mlp2_->forward(torch::silu(time_mlp1_->forward(timestep_embedding(t, options_.base_channels))));
  if (label_embedding_) {
    const torch::Tensor classes =
        labels.defined() ? labels : torch::full({x.size(0)}, options_.num_classes, t.options().dtype(torch::kLong));
    embedding = embedding + label_embedding_->forward(classes);
  }
  std::vector<torch::Tensor> skips;
  torch::Tensor h = input_conv_->forward(x);
  skips.push_back(h);
  for (Stage& stage : down_) {
    for (std::size_t i = 0; i < stage.blocks.size(); ++i) {
      h = stage.blocks[i]->forward(h, embedding);
      if (stage.attention[i]) h = stage.attention[i]->forward(h);
      skips.push_back(h);
    }
    if (stage.resample) {
      h = stage.resample->forward(h);
      skips.push_back(h);
    }
  }
  h = middle2_->forward(middle_attention_->forward(middle1_->forward(h, embedding)), embedding);
  for (Stage& stage : up_) {
    for (std::size_t i = 0; i < stage.blocks.size(); ++i) {
      h = stage.blocks[i]->forward(torch::cat({h, skips.back()}, 1), embedding);
      skips.pop_back();
      if (stage.attention[i]) h = stage.attention[i]->forward(h);
    }
    if (stage.resample) {
      // Back to the size of the matching skip (odd sides such as 7 do not double exactly).
      const torch::Tensor& skip = skips.back();
      h = stage.resample->forward(torch::upsample_nearest2d(h, {skip.size(2), skip.size(3)}));
    }
  }
  return output_conv_->forward(torch::silu(output_norm_->forward(h)));
}

DiffusionModelImpl::DiffusionModelImpl(const Config& config) : prediction(config.ddpm.prediction) {
  unet = register_module("unet", UNet(unet_options(config)));
  schedule = register_module("schedule", DiffusionSchedule(config.ddpm.noise_schedule, config.ddpm.timesteps));
}

}  // namespace synthgen::models
