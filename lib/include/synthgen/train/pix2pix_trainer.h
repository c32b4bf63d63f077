// Training step of the pix2pix family (Isola et al. 2017). Each step crops the batch's pairs at
// the same random place (data.load_size -> data.image_size), computes G(A), updates the PatchGAN
// D on (A, B) against (A, G(A)), then G on
//   adversarial loss of D(A, G(A)) + train.l1_weight * |G(A) - B|.
#pragma once

#include <torch/torch.h>

#include <memory>

#include "synthgen/config/config.h"
#include "synthgen/losses/gan_losses.h"
#include "synthgen/models/pix2pix.h"
#include "synthgen/train/grad_scaler.h"
#include "synthgen/train/preview_pairs.h"
#include "synthgen/train/trainer.h"

namespace synthgen::train {

class Pix2PixTrainer : public Trainer {
 public:
  Pix2PixTrainer(const Config& config, const torch::Device& device);

  // Metrics: loss_d, loss_g_gan, loss_l1 (on [-1, 1]), psnr (dB on 0-255 of G(A) against B),
  // d_real and d_fake (mean patch logits).
  StepMetrics step(const Batch& batch) override;
  void set_learning_rate(double lr) override;
  bool state_is_finite() const override;
  // Rows of A | G(A) | B for fixed examples of the first steps (kept in the checkpoint).
  torch::Tensor preview(int count, std::uint64_t seed) override;
  int preview_columns() const override { return 3; }
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;

  models::UnetGenerator& generator() { return generator_; }
  models::PatchDiscriminator& discriminator() { return discriminator_; }

 private:
  Config config_;
  torch::Device device_;
  losses::GanLoss loss_;
  models::UnetGenerator generator_{nullptr};
  models::PatchDiscriminator discriminator_{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer_g_;
  std::unique_ptr<torch::optim::Adam> optimizer_d_;
  GradScaler scaler_g_{false};
  GradScaler scaler_d_{false};
  PreviewPairs preview_;
};

}  // namespace synthgen::train
