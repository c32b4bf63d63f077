// The vae family (Kingma & Welling 2014): a convolutional encoder to (mu, log sigma^2) of a
// diagonal Gaussian q(z|x), the reparameterisation z = mu + sigma * eps, and a decoder to the
// parameters of p(x|z) over pixels scaled to [0, 1]: Bernoulli logits, or a Gaussian mean
// (sigmoid) with one learned log sigma. Optionally class-conditional: a label embedding joins the
// encoder's features and z.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "synthgen/config/config.h"

namespace synthgen::models {

struct VaeOptions {
  std::int64_t image_size = 28;
  std::int64_t channels = 1;
  std::int64_t base_channels = 32;
  std::vector<int> channel_mults = {1, 2, 2};  // one level each; all but the first halve the side
  std::int64_t latent_dim = 32;
  std::int64_t num_classes = 0;
  std::string likelihood = "bernoulli";  // bernoulli | gaussian
};

VaeOptions vae_options(const Config& config);

struct Posterior {
  torch::Tensor mu;      // [B, latent_dim]
  torch::Tensor logvar;  // [B, latent_dim]
};

class VaeImpl : public torch::nn::Module {
 public:
  explicit VaeImpl(const VaeOptions& options);

  // Images in [-1, 1] (labels int64 [B] for a conditional model, else undefined).
  Posterior encode(const torch::Tensor& images, const torch::Tensor& labels = {});
  // The decoder's raw output: Bernoulli logits or Gaussian means in [0, 1], [B, C, H, W].
  torch::Tensor decode(const torch::Tensor& z, const torch::Tensor& labels = {});
  // The mean image of p(x|z) for a decoder output, in [-1, 1].
  torch::Tensor mean_image(const torch::Tensor& decoded) const;
  // -log p(x|z) in nats per image for images in [-1, 1]: [B].
  torch::Tensor reconstruction_nll(const torch::Tensor& decoded, const torch::Tensor& images) const;

  const VaeOptions& options() const { return options_; }
  torch::Tensor log_sigma;  // gaussian only: the decoder's learned log sigma (a scalar parameter)

 private:
  torch::Tensor with_label(const torch::Tensor& features, const torch::Tensor& labels);

  VaeOptions options_;
  std::vector<std::int64_t> sides_;  // the side at each level
  std::int64_t bottom_channels_ = 0;
  torch::nn::Sequential encoder_{nullptr};
  torch::nn::Linear to_posterior_{nullptr};
  torch::nn::Linear from_latent_{nullptr};
  std::vector<torch::nn::Conv2d> decoder_convs_;  // one per level above the lowest, then the output conv
  torch::nn::Embedding label_embedding_{nullptr};
};
TORCH_MODULE(Vae);

// Size of the label embedding of a conditional VAE.
constexpr std::int64_t kVaeLabelDim = 16;

}  // namespace synthgen::models
