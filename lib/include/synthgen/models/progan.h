// ProGAN (Karras et al. 2018): generator and discriminator that grow from 4x4 to data.image_size,
// one resolution doubling per level, each new block faded in; equalized learning rate, pixel norm
// in G, minibatch standard deviation in D. StyleGAN's options (Karras et al. 2019):
// model.mapping_layers (mapping network z -> w), model.style_modulation (learned constant input and
// AdaIN by w instead of pixel norm), model.noise_inputs (per-pixel noise after every convolution).
// Class-conditional with model.num_classes > 0: G adds a class embedding to z, D is a projection
// discriminator (Miyato & Koyama 2018).
//
// G's output is linear (no tanh), in [-1, 1] only approximately: whoever turns it into pixels
// clamps (the sample mapping clamps to [0, 255]).
#pragma once

#include <torch/torch.h>

#include <array>
#include <cstdint>

#include "synthgen/models/gan.h"
#include "synthgen/models/progan_layers.h"

namespace synthgen::models {

// The level of data.image_size = 4 * 2^level, level >= 1. Throws ConfigError for other sizes.
int progan_max_level(int image_size);

// The side of the images at `level`: 4 * 2^level.
int progan_resolution(int level);

// The feature maps of G's and D's blocks at `level`: min(max_channels, base_channels *
// 2^(max_level - level)). The full-resolution block has model.base_channels (as DCGAN's ngf/ndf)
// and each coarser level doubles them, up to model.max_channels.
std::int64_t progan_channels(int level, int max_level, const Config& config);

// Real images of the full size brought to the resolution and fade of `growth`, as ProGAN's trainer
// does: average-pooled down to 4 * 2^level, and during a fade-in blended with their own 2x
// downsampled-then-upsampled copy, as alpha * x + (1 - alpha) * up(down(x)), so that D sees
// reals and fakes made the same way. Throws RuntimeError when the size is not 4 * 2^level * 2^k.
torch::Tensor progan_real_images(const torch::Tensor& images, const Growth& growth);

// One resolution of G. Level 0 starts from w: a dense layer to [C, 4, 4] (ProGAN) or a learned
// constant (with style_modulation), then a 3x3 convolution. Higher levels: nearest 2x upsampling,
// two 3x3 convolutions. Each convolution (and level 0's start) is followed by: noise input (with
// noise_inputs), LeakyReLU(0.2), then pixel norm, or AdaIN by w with style_modulation.
class ProganGeneratorBlockImpl : public torch::nn::Module {
 public:
  // in_channels is the previous level's channels; unused at level 0.
  ProganGeneratorBlockImpl(int level, std::int64_t in_channels, std::int64_t out_channels, const Config& config);
  // h: the previous level's features (undefined at level 0); w: [B, latent_dim].
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& w);

 private:
  // Noise, activation and normalisation after convolution `index` (0 or 1) of the block.
  torch::Tensor finish(torch::Tensor x, const torch::Tensor& w, int index);

  std::int64_t out_channels_;
  EqualizedLinear dense_{nullptr};  // level 0 without style_modulation
  torch::Tensor constant_;          // level 0 with style_modulation: [1, C, 4, 4]
  EqualizedConv2d conv0_{nullptr};  // levels >= 1
  EqualizedConv2d conv1_{nullptr};
  std::array<NoiseInput, 2> noise_{{nullptr, nullptr}};
  std::array<StyleModulation, 2> style_{{nullptr, nullptr}};
  PixelNorm pixel_norm_;
};
TORCH_MODULE(ProganGeneratorBlock);

// One resolution of D above 4x4: two 3x3 convolutions with LeakyReLU(0.2) (the second one to the
// next lower level's channels), then 2x average pooling.
class ProganDiscriminatorBlockImpl : public torch::nn::Module {
 public:
  ProganDiscriminatorBlockImpl(std::int64_t in_channels, std::int64_t out_channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  EqualizedConv2d conv0_{nullptr};
  EqualizedConv2d conv1_{nullptr};
};
TORCH_MODULE(ProganDiscriminatorBlock);

// D at 4x4: minibatch standard deviation, 3x3 convolution, dense C*16 -> C (the feature h), dense
// C -> 1, all but the last with LeakyReLU(0.2). Conditional: logit += <embed(y), h> / sqrt(C),
// the embedding stored N(0, 1) and scaled at run time like the equalized layers.
class ProganDiscriminatorHeadImpl : public torch::nn::Module {
 public:
  ProganDiscriminatorHeadImpl(std::int64_t channels, std::int64_t num_classes);
  // x: [B, C, 4, 4]; labels: checked int64 [B], or undefined when unconditional. Returns [B].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& labels);

 private:
  std::int64_t channels_;
  MinibatchStddev stddev_;
  EqualizedConv2d conv_{nullptr};
  EqualizedLinear dense_{nullptr};
  EqualizedLinear output_{nullptr};
  torch::nn::Embedding class_embedding_{nullptr};
};
TORCH_MODULE(ProganDiscriminatorHead);

// Starts at the full resolution (growth {max_level, 1}); the trainer sets the growth before every
// step and back to the full level for sampling. The growth is not saved with the weights.
class ProganGenerator : public Generator, public Growable {
 public:
  explicit ProganGenerator(const Config& config);
  using Generator::forward;
  // Images [B, C, 4 * 2^level, 4 * 2^level]. At level L > 0 with alpha < 1:
  // alpha * toRGB_L(block_L(h)) + (1 - alpha) * upsample(toRGB_{L-1}(h)).
  // In training mode with a mapping network, also moves w_avg towards this batch's mean w.
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) override;
  // The truncation trick: w' = center + psi * (w - center), with center = w_avg (the EMA of w
  // over training forwards) when there is a mapping network, else 0, w then being the pixel-
  // normalised latent (scaling z itself would be undone by the pixel norm). psi = 1 is forward
  // (without the w_avg update); psi = 0 gives one image for every z (and every label: the centre
  // is not per class).
  torch::Tensor forward_truncated(const torch::Tensor& z, const torch::Tensor& labels, double psi) override;
  std::int64_t latent_dim() const override { return latent_dim_; }
  std::int64_t num_classes() const override { return num_classes_; }
  void set_growth(const Growth& growth) override;
  Growth growth() const override { return growth_; }
  int max_level() const override { return max_level_; }

  // Decay of the w_avg EMA, per training forward (StyleGAN's 0.995).
  static constexpr double kWAverageDecay = 0.995;

 private:
  // z (with the class embedding added) through the mapping network, or pixel-normalised.
  torch::Tensor latent_to_w(const torch::Tensor& z, const torch::Tensor& labels);
  torch::Tensor synthesize(const torch::Tensor& w);

  std::int64_t latent_dim_;
  std::int64_t num_classes_;
  int max_level_;
  Growth growth_;
  PixelNorm pixel_norm_;
  MappingNetwork mapping_{nullptr};                // with model.mapping_layers > 0
  torch::nn::Embedding class_embedding_{nullptr};  // conditional: [num_classes, latent_dim]
  torch::Tensor w_avg_;                            // buffer [latent_dim], with a mapping network
  torch::nn::ModuleList blocks_{nullptr};          // ProganGeneratorBlock per level
  torch::nn::ModuleList to_rgb_{nullptr};          // EqualizedConv2d 1x1, gain 1, per level
};

// Starts at the full resolution like ProganGenerator. Input images must have the resolution of
// the current level (see progan_real_images); RuntimeError otherwise.
class ProganDiscriminator : public Discriminator, public Growable {
 public:
  explicit ProganDiscriminator(const Config& config);
  using Discriminator::forward;
  // At level L > 0 with alpha < 1 the input side fades:
  // alpha * block_L(fromRGB_L(x)) + (1 - alpha) * fromRGB_{L-1}(avgpool(x)).
  torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& labels) override;
  void set_growth(const Growth& growth) override;
  Growth growth() const override { return growth_; }
  int max_level() const override { return max_level_; }

 private:
  // LeakyReLU(fromRGB_level(images)).
  torch::Tensor from_rgb(int level, const torch::Tensor& images);

  std::int64_t image_channels_;
  std::int64_t num_classes_;
  int max_level_;
  Growth growth_;
  torch::nn::ModuleList from_rgb_{nullptr};  // EqualizedConv2d 1x1 per level
  torch::nn::ModuleList blocks_{nullptr};    // ProganDiscriminatorBlock for levels 1..max (index l-1)
  ProganDiscriminatorHead head_{nullptr};
};

}  // namespace synthgen::models
