// Training step of the vae family: encode, draw z by reparameterisation, decode, and minimise
//   -log p(x|z) + train.kl_beta * KL(q(z|x) || N(0, I))   (mean over the batch, nats per image);
// with kl_beta 1 this is the negative ELBO. evaluate() reports the ELBO on held-out images (the
// Fashion-MNIST test split) in nats per image and bits per dimension.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "synthgen/config/config.h"
#include "synthgen/models/vae.h"
#include "synthgen/train/trainer.h"

namespace synthgen::train {

// The per-image ELBO terms of one pass with z drawn from q(z|x) using `eps` (same shape as mu).
struct ElboTerms {
  torch::Tensor nll;  // -log p(x|z), [B]
  torch::Tensor kl;   // KL(q(z|x) || p(z)), [B]
};
ElboTerms elbo_terms(models::Vae& vae, const torch::Tensor& images, const torch::Tensor& labels,
                     const torch::Tensor& eps);

class VaeTrainer : public Trainer {
 public:
  // Throws RuntimeError when a conditional model meets data without matching labels.
  VaeTrainer(const Config& config, const torch::Device& device, const DataInfo& data = {});

  // Metrics: loss (nll + beta kl), nll, kl (nats per image).
  StepMetrics step(const Batch& batch) override;
  void set_learning_rate(double lr) override;
  bool state_is_finite() const override { return module_is_finite(*vae_); }
  // Decoded prior samples (mean images) from seeds seed.., classes cycled for a conditional model.
  torch::Tensor preview(int count, std::uint64_t seed) override;
  bool has_evaluation() const override { return true; }
  std::int64_t evaluate_every() const override { return config_.vae.eval_every; }  // train.eval_every
  // test_elbo_nats (mean ELBO per image, one z per image from a fixed seed), test_bits_per_dim,
  // test_kl.
  MetricValues evaluate(const data::ImageDataset& held_out) override;
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;

  models::Vae& vae() { return vae_; }

 private:
  Config config_;
  torch::Device device_;
  std::vector<std::string> class_names_;
  models::Vae vae_{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer_;
  std::int64_t steps_ = 0;
};

}  // namespace synthgen::train
