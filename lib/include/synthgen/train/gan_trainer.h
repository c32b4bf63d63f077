// Training step of the GAN families: one discriminator update, then one generator update on the
// same fake batch, with Adam for both (the loop of pytorch/examples' DCGAN).
#pragma once

#include <torch/torch.h>

#include <memory>

#include "synthgen/config/config.h"
#include "synthgen/losses/gan_losses.h"
#include "synthgen/models/gan.h"
#include "synthgen/train/grad_scaler.h"
#include "synthgen/train/trainer.h"

namespace synthgen::train {

class GanTrainer : public Trainer {
 public:
  GanTrainer(const Config& config, const torch::Device& device);

  // Metrics: loss_d, loss_g, d_real (mean D(x)), d_fake (mean D(G(z)) before D's update).
  StepMetrics step(const Batch& batch) override;
  void set_learning_rate(double lr) override;
  torch::Tensor preview(int count, std::uint64_t seed) override;
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;

  models::Generator& generator() { return *generator_; }
  models::Discriminator& discriminator() { return *discriminator_; }

 private:
  torch::Device device_;
  torch::ScalarType autocast_dtype_;
  losses::GanLoss loss_;
  std::shared_ptr<models::Generator> generator_;
  std::shared_ptr<models::Discriminator> discriminator_;
  std::unique_ptr<torch::optim::Adam> optimizer_g_;
  std::unique_ptr<torch::optim::Adam> optimizer_d_;
  GradScaler scaler_g_;
  GradScaler scaler_d_;
};

// Latent vectors for images seed, seed+1, ...: image i's latent depends only on seed + i, so a
// sample set does not depend on the batch size or the device. Drawn on the CPU, returned on
// `device`.
torch::Tensor latents_for_seeds(std::uint64_t first_seed, std::int64_t count, std::int64_t latent_dim,
                                const torch::Device& device);

// The generator from the archive a GanTrainer saved (the "trainer" part of a checkpoint), in eval
// mode, on `device`.
std::shared_ptr<models::Generator> load_generator(const Config& config,
                                                  torch::serialize::InputArchive& archive,
                                                  const torch::Device& device);

}  // namespace synthgen::train
