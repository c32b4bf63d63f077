// Training step of the GAN families, the loop of pytorch/examples' DCGAN extended with what GANs
// need on small data: every step updates D (the critic) once, and every train.n_critic-th step
// also updates G on the same fake batch. Options: the five losses, the WGAN-GP gradient penalty,
// R1 and epsilon-drift penalties, DiffAugment on real and fake alike, an EMA of G's weights for
// samples, class-conditional batches, and ProGAN's growth schedule.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "synthgen/config/config.h"
#include "synthgen/losses/gan_losses.h"
#include "synthgen/models/gan.h"
#include "synthgen/train/diff_augment.h"
#include "synthgen/train/ema.h"
#include "synthgen/train/gan_sampling.h"
#include "synthgen/train/grad_scaler.h"
#include "synthgen/train/trainer.h"

namespace synthgen::train {

class GanTrainer : public Trainer {
 public:
  // Throws RuntimeError when a class-conditional model meets data without matching labels.
  GanTrainer(const Config& config, const torch::Device& device, const DataInfo& data = {});

  // Metrics: loss_d, loss_g (of the last G update), d_real and d_fake (mean D output on real and
  // fake images before D's update: a probability for nonsaturating/minimax, a raw score
  // otherwise), and for ProGAN the resolution and alpha.
  StepMetrics step(const Batch& batch) override;
  // ProGAN with train.batch_sizes: the batch size of the resolution the next step trains at.
  std::int64_t next_batch_size(std::int64_t configured) const override;
  void set_learning_rate(double lr) override;
  bool state_is_finite() const override;
  torch::Tensor preview(int count, std::uint64_t seed) override;
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;

  models::Generator& generator() { return *generator_; }
  models::Discriminator& discriminator() { return *discriminator_; }

 private:
  torch::Tensor augment(const torch::Tensor& images) const;
  torch::Tensor real_at_growth(const torch::Tensor& real) const;
  void apply_growth();

  Config config_;
  torch::Device device_;
  torch::ScalarType autocast_dtype_;
  losses::GanLoss loss_;
  AugmentPolicy augment_policy_;
  std::vector<std::string> class_names_;
  std::shared_ptr<models::Generator> generator_;
  std::shared_ptr<models::Discriminator> discriminator_;
  std::shared_ptr<models::Generator> ema_generator_;  // the EMA weights, when train.ema_decay > 0
  std::unique_ptr<ParameterEma> ema_;
  std::unique_ptr<torch::optim::Adam> optimizer_g_;
  std::unique_ptr<torch::optim::Adam> optimizer_d_;
  GradScaler scaler_g_;
  GradScaler scaler_d_;
  std::int64_t steps_ = 0;        // D updates so far
  std::int64_t images_seen_ = 0;  // real images shown to D (drives ProGAN's schedule)
  models::Growth growth_;
  torch::Tensor last_loss_g_;
  torch::Tensor last_mode_seeking_;  // the unweighted mode-seeking term of the last G update
};

}  // namespace synthgen::train
