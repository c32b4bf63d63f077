// Training step of the srgan family. Each step crops train.sr_patch squares from the batch (with
// random flips and 90-degree rotations when data.random_flip is set), makes their LR inputs
// (bicubic, plus the optional degradations of data/sr_pairs.h), and updates G on
//   pixel_weight * L1 + perceptual_weight * perceptual + gan_weight * relativistic G loss,
// then, when train.gan_weight > 0, D on the relativistic D loss (ESRGAN's order: G, then D).
// train.gan_weight 0 is the PSNR-oriented first stage: no D is built or saved. The second stage
// starts from the first one's generator with `synthgen train --init CKPT`.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <optional>

#include "synthgen/config/config.h"
#include "synthgen/data/sr_pairs.h"
#include "synthgen/losses/perceptual.h"
#include "synthgen/models/srgan.h"
#include "synthgen/train/ema.h"
#include "synthgen/train/grad_scaler.h"
#include "synthgen/train/trainer.h"

namespace synthgen::train {

class SrTrainer : public Trainer {
 public:
  SrTrainer(const Config& config, const torch::Device& device);

  // Metrics: loss_g (G's total), loss_pixel (L1 on [-1, 1]), psnr (of the batch, dB on 0-255),
  // loss_perceptual when used, and with a D: loss_d, d_real and d_fake (mean raw logits).
  StepMetrics step(const Batch& batch) override;
  void set_learning_rate(double lr) override;
  bool state_is_finite() const override;
  // Rows of bicubic | G | HR for three crops of the first batch (kept in the checkpoint).
  torch::Tensor preview(int count, std::uint64_t seed) override;
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;
  void init_from(torch::serialize::InputArchive& archive, const std::string& source) override;

  models::SrGenerator& generator() { return generator_; }

 private:
  Config config_;
  torch::Device device_;
  data::Degradation degradation_;
  models::SrGenerator generator_{nullptr};
  models::SrDiscriminator discriminator_{nullptr};  // only when train.gan_weight > 0
  models::SrGenerator ema_generator_{nullptr};      // the EMA weights, when train.ema_decay > 0
  std::unique_ptr<ParameterEma> ema_;
  std::unique_ptr<losses::PerceptualLoss> perceptual_;
  std::unique_ptr<torch::optim::Adam> optimizer_g_;
  std::unique_ptr<torch::optim::Adam> optimizer_d_;
  GradScaler scaler_g_{false};
  GradScaler scaler_d_{false};
  std::int64_t steps_ = 0;
  torch::Tensor preview_lr_;  // fixed crops for the sample grids
  torch::Tensor preview_hr_;
};

// PSNR in dB on the 0-255 scale of images in [-1, 1] (over the whole batch).
torch::Tensor batch_psnr(const torch::Tensor& output, const torch::Tensor& target);

struct LoadedSrGenerator {
  models::SrGenerator network{nullptr};  // eval mode, on the requested device
  int scale = 0;
  int channels = 0;
};

// G from the archive an SrTrainer saved (the "trainer" part of a checkpoint): the EMA weights
// when the run kept them (unless use_ema is false).
LoadedSrGenerator load_sr_generator(const Config& config, torch::serialize::InputArchive& archive,
                                    const torch::Device& device, bool use_ema = true);

}  // namespace synthgen::train
