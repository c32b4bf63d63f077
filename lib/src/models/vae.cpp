#include "synthgen/models/vae.h"

#include <fmt/format.h>

#include <cmath>

#include "synthgen/losses/vae_losses.h"
#include "synthgen/models/blocks.h"
#include "synthgen/models/conditioning.h"

namespace synthgen::models {

VaeOptions vae_options(const Config& config) {
  VaeOptions options;
  options.image_size = config.data.image_size;
  options.channels = config.data.channels;
  options.base_channels = config.model.base_channels;
  options.channel_mults = config.model.channel_mults;
  options.latent_dim = config.model.latent_dim;
  options.num_classes = config.model.num_classes;
  options.likelihood = config.vae.likelihood;
  return options;
}

VaeImpl::VaeImpl(const VaeOptions& options) : options_(options) {
  const std::size_t levels = options.channel_mults.size();
  encoder_ = register_module("encoder", torch::nn::Sequential());
  std::int64_t channels = options.channels;
  std::int64_t side = options.image_size;
  for (std::size_t level = 0; level < levels; ++level) {
    const std::int64_t out = options.base_channels * options.channel_mults[level];
    if (level > 0) side = (side + 1) / 2;
    sides_.push_back(side);
    encoder_->push_back(conv3x3(channels, out, level == 0 ? 1 : 2));
    encoder_->push_back(torch::nn::SiLU());
    encoder_->push_back(conv3x3(out, out));
    encoder_->push_back(torch::nn::SiLU());
    channels = out;
  }
  bottom_channels_ = channels;
  const std::int64_t flat = channels * side * side;
  const std::int64_t label_dim = options.num_classes > 0 ? kVaeLabelDim : 0;
  if (options.num_classes > 0) {
    label_embedding_ = register_module("label_embedding", torch::nn::Embedding(options.num_classes, kVaeLabelDim));
  }
  to_posterior_ = register_module("to_posterior", torch::nn::Linear(flat + label_dim, 2 * options.latent_dim));
  from_latent_ = register_module("from_latent", torch::nn::Linear(options.latent_dim + label_dim, flat));
  for (std::size_t level = levels - 1; level > 0; --level) {
    const std::int64_t out = options.base_channels * options.channel_mults[level - 1];
    decoder_convs_.push_back(register_module(fmt::format("decoder_up{}", level), conv3x3(channels, out)));
    decoder_convs_.push_back(register_module(fmt::format("decoder_conv{}", level), conv3x3(out, out)));
    channels = out;
  }
  decoder_convs_.push_back(register_module("decoder_output", conv3x3(channels, options.channels)));
  if (options.likelihood == "gaussian") {
    // Start near the spread of pixel values; it is learned with the rest.
    log_sigma = register_parameter("log_sigma", torch::full({1}, std::log(0.2)));
  }
}

torch::Tensor VaeImpl::with_label(const torch::Tensor& features, const torch::Tensor& labels) {
  if (!label_embedding_) return features;
  check_labels(labels, options_.num_classes, features.size(0));
  return torch::cat({features, label_embedding_->forward(labels)}, 1);
}

Posterior VaeImpl::encode(const torch::Tensor& images, const torch::Tensor& labels) {
  const torch::Tensor features = encoder_->forward(images).flatten(1);
  const std::vector<torch::Tensor> halves = to_posterior_->forward(with_label(features, labels)).chunk(2, 1);
  // A bounded log-variance keeps exp() finite early in training.
  return {halves[0], halves[1].clamp(-30.0, 20.0)};
}

torch::Tensor VaeImpl::decode(const torch::Tensor& z, const torch::Tensor& labels) {
  const std::int64_t side = sides_.back();
  torch::Tensor h =
      torch::silu(from_latent_->forward(with_label(z, labels))).view({z.size(0), bottom_channels_, side, side});
  std::size_t conv = 0;
  for (std::size_t level = sides_.size() - 1; level > 0; --level) {
    const std::int64_t target = sides_[level - 1];
    h = torch::upsample_nearest2d(h, {target, target});
    h = torch::silu(decoder_convs_[conv++]->forward(h));
    h = torch::silu(decoder_convs_[conv++]->forward(h));
  }
  const torch::Tensor out = decoder_convs_[conv]->forward(h);
  return options_.likelihood == "gaussian" ? torch::sigmoid(out) : out;
}

torch::Tensor VaeImpl::mean_image(const torch::Tensor& decoded) const {
  const torch::Tensor p = options_.likelihood == "gaussian" ? decoded : torch::sigmoid(decoded);
  return p * 2.0 - 1.0;
}

torch::Tensor VaeImpl::reconstruction_nll(const torch::Tensor& decoded, const torch::Tensor& images) const {
  const torch::Tensor target = (images + 1.0) * 0.5;
  if (options_.likelihood == "gaussian") return losses::gaussian_nll(decoded, log_sigma, target);
  return losses::bernoulli_nll(decoded, target);
}

}  // namespace synthgen::models
