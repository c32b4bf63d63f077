// The ddpm family's network: a U-Net noise predictor (Ho et al. 2020) with a sinusoidal time
// embedding, residual blocks with GroupNorm and SiLU, self-attention at the low resolutions and
// an optional class embedding added to the time embedding. For classifier-free guidance (Ho &
// Salimans 2022) the class embedding has one extra row, index num_classes, meaning "no label".
// DiffusionModel pairs it with its noise schedule so that both are saved and moved together.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "synthgen/config/config.h"
#include "synthgen/models/diffusion_schedule.h"
#include "synthgen/models/unet_blocks.h"

namespace synthgen::models {

struct UNetOptions {
  std::int64_t image_size = 32;
  std::int64_t channels = 1;  // image channels in and out
  std::int64_t base_channels = 64;
  std::vector<int> channel_mults = {1, 2, 2};
  int res_blocks = 2;
  int attention_max_size = 16;  // attention at levels whose side is at most this
  double dropout = 0.1;
  std::int64_t num_classes = 0;  // 0 = unconditional
};

UNetOptions unet_options(const Config& config);

class UNetImpl : public torch::nn::Module {
 public:
  explicit UNetImpl(const UNetOptions& options);

  // The prediction (eps or v) for noisy images x [B, C, H, W] at timestep indices t [B] (int64).
  // labels: int64 [B] in [0, num_classes], num_classes meaning "no label"; undefined = no label.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& labels = {});

  std::int64_t num_classes() const { return options_.num_classes; }
  const UNetOptions& options() const { return options_; }

 private:
  struct Stage {
    std::vector<ResidualBlock> blocks;
    std::vector<SelfAttention> attention;  // one per block; null where the level has none
    torch::nn::Conv2d resample{nullptr};   // down: stride-2 conv; up: conv after nearest upsampling
  };

  UNetOptions options_;
  std::int64_t embedding_dim_ = 0;
  torch::nn::Linear time_mlp1_{nullptr};
  torch::nn::Linear time_mlp2_{nullptr};
  torch::nn::Embedding label_embedding_{nullptr};
  torch::nn::Conv2d input_conv_{nullptr};
  std::vector<Stage> down_;
  ResidualBlock middle1_{nullptr};
  SelfAttention middle_attention_{nullptr};
  ResidualBlock middle2_{nullptr};
  std::vector<Stage> up_;  // from the lowest resolution up
  torch::nn::GroupNorm output_norm_{nullptr};
  torch::nn::Conv2d output_conv_{nullptr};
};
TORCH_MODULE(UNet);

// The U-Net with its noise schedule (buffers) and prediction target.
class DiffusionModelImpl : public torch::nn::Module {
 public:
  explicit DiffusionModelImpl(const Config& config);
  UNet unet{nullptr};
  DiffusionSchedule schedule{nullptr};
  std::string prediction;  // eps | v
};
TORCH_MODULE(DiffusionModel);

}  // namespace synthgen::models
