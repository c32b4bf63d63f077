// Training step of the cyclegan family (Zhu et al. 2017): generators G_AB and G_BA, PatchGAN
// discriminators D_A (real A against G_BA(b)) and D_B (real B against G_AB(a)). Each step updates
// both generators on
//   adversarial losses + train.cycle_weight * cycle loss
//   + train.cycle_weight * train.identity_weight * identity loss,
// then both discriminators on the real images against fakes drawn through the image pools.
#pragma once

#include <torch/torch.h>

#include <memory>

#include "synthgen/config/config.h"
#include "synthgen/losses/gan_losses.h"
#include "synthgen/models/cyclegan.h"
#include "synthgen/models/pix2pix.h"
#include "synthgen/train/grad_scaler.h"
#include "synthgen/train/image_pool.h"
#include "synthgen/train/preview_pairs.h"
#include "synthgen/train/trainer.h"

namespace synthgen::train {

class CycleGanTrainer : public Trainer {
 public:
  CycleGanTrainer(const Config& config, const torch::Device& device);

  // Metrics: loss_g (G's total), loss_g_gan (both adversarial terms), loss_cycle and
  // loss_identity (weighted), loss_d_a, loss_d_b.
  StepMetrics step(const Batch& batch) override;
  void set_learning_rate(double lr) override;
  bool state_is_finite() const override;
  // Rows of a | G_AB(a) | G_BA(G_AB(a)) | b | G_BA(b) | G_AB(G_BA(b)) for fixed examples.
  torch::Tensor preview(int count, std::uint64_t seed) override;
  int preview_columns() const override { return 6; }
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;

  models::ResnetGenerator& generator_ab() { return generator_ab_; }
  models::ResnetGenerator& generator_ba() { return generator_ba_; }

 private:
  Config config_;
  torch::Device device_;
  losses::GanLoss loss_;
  models::ResnetGenerator generator_ab_{nullptr};
  models::ResnetGenerator generator_ba_{nullptr};
  models::PatchDiscriminator discriminator_a_{nullptr};
  models::PatchDiscriminator discriminator_b_{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer_g_;  // both generators
  std::unique_ptr<torch::optim::Adam> optimizer_d_;  // both discriminators
  GradScaler scaler_g_{false};
  GradScaler scaler_d_{false};
  ImagePool pool_a_;  // G_BA's outputs, for D_A
  ImagePool pool_b_;  // G_AB's outputs, for D_B
  PreviewPairs preview_;
};

}  // namespace synthgen::train
