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

// Latent vectors for images seed, seed+1, ...: image i's latent depends only on seed + i, so a
// sample set does not depend on the batch size or the device. Drawn on the CPU, returned on
// `device`.
torch::Tensor latents_for_seeds(std::uint64_t first_seed, std::int64_t count, std::int64_t latent_dim,
                                const torch::Device& device);

struct LoadedGenerator {
  std::shared_ptr<models::Generator> network;  // eval mode, on the requested device
  std::vector<std::string> class_names;        // conditional models: label i's name (may be empty)
  int image_size = 0;                          // config data.image_size: outputs are brought to it
};

// Throws UsageError naming `path` unless `family` (a checkpoint's) is an image-generating GAN:
// a classifier makes no images, and an srgan model enlarges them (synthgen upscale).
void require_image_generator(const std::string& family, const std::string& path);

// The generator from the archive a GanTrainer saved (the "trainer" part of a checkpoint): the EMA
// weights when the run kept them (unless use_ema is false), at the growth stage it reached.
LoadedGenerator load_generator(const Config& config, torch::serialize::InputArchive& archive,
                               const torch::Device& device, bool use_ema = true);

// G's images at config data.image_size: a growing generator below its last stage makes smaller
// ones, which are enlarged (nearest neighbour) so that every output has the configured size.
torch::Tensor generate(models::Generator& generator, const torch::Tensor& z, const torch::Tensor& labels,
                       int image_size, double truncation = 1.0);

}  // namespace synthgen::train
