#include "synthgen/train/pix2pix_trainer.h"

#include <fmt/format.h>

#include "archive_parts.h"
#include "synthgen/core/error.h"
#include "synthgen/data/translation_data.h"
#include "synthgen/io/strict_weights.h"
#include "synthgen/losses/translation_losses.h"
#include "synthgen/train/sr_trainer.h"

namespace synthgen::train {

Pix2PixTrainer::Pix2PixTrainer(const Config& config, const torch::Device& device)
    : config_(config), device_(device), loss_(losses::parse_gan_loss(config.train.loss)) {
  if (config.run.precision != "fp32") {
    throw ConfigError(fmt::format("run.precision: pix2pix trains in fp32 only, got {}", config.run.precision));
  }
  const int channels = config.data.channels;
  const int levels = models::unet_levels_for(config.pix2pix, config.data.image_size);
  generator_ = models::UnetGenerator(channels, channels, config.model.base_channels, levels, config.model.norm);
  discriminator_ = models::PatchDiscriminator(2 * channels, config.model.base_channels, config.model.norm);
  generator_->to(device_);
  discriminator_->to(device_);
  optimizer_g_ = std::make_unique<torch::optim::Adam>(generator_->parameters(), adam_options(config.train));
  optimizer_d_ = std::make_unique<torch::optim::Adam>(discriminator_->parameters(), adam_options(config.train));
}

StepMetrics Pix2PixTrainer::step(const Batch& batch) {
  const torch::Tensor pairs = data::translation_crop(batch.images, config_.data.image_size);
  const torch::Tensor real_a = data::domain_a(pairs);
  const torch::Tensor real_b = data::domain_b(pairs);
  preview_.collect(real_a, real_b);
  generator_->train();
  discriminator_->train();
  const torch::Tensor fake_b = generator_->forward(real_a);

  // D first, on the pair with the real B against the pair with G's output (detached).
  const torch::Tensor real_logits = discriminator_->forward(torch::cat({real_a, real_b}, 1));
  const torch::Tensor fake_logits = discriminator_->forward(torch::cat({real_a, fake_b.detach()}, 1));
  const torch::Tensor loss_d = losses::patch_discriminator_loss(loss_, real_logits, fake_logits);
  optimizer_d_->zero_grad();
  scaler_d_.backward(loss_d);
  nonfinite_ = !scaler_d_.step(*optimizer_d_);

  // Then G, through the updated D, which is frozen meanwhile.
  set_requires_grad(*discriminator_, false);
  const torch::Tensor loss_g_gan =
      losses::patch_generator_loss(loss_, discriminator_->forward(torch::cat({real_a, fake_b}, 1)));
  const torch::Tensor loss_l1 = losses::l1_distance(fake_b, real_b);
  const torch::Tensor loss_g = loss_g_gan + config_.pix2pix.l1_weight * loss_l1;
  optimizer_g_->zero_grad();
  scaler_g_.backward(loss_g);
  nonfinite_ = !scaler_g_.step(*optimizer_g_) || nonfinite_;
  set_requires_grad(*discriminator_, true);

  return {{"loss_d", loss_d.detach()},
          {"loss_g_gan", loss_g_gan.detach()},
          {"loss_l1", loss_l1.detach()},
          {"psnr", batch_psnr(fake_b, real_b)},
          {"d_real", real_logits.detach().mean()},
          {"d_fake", fake_logits.detach().mean()}};
}

void Pix2PixTrainer::set_learning_rate(double lr) {
  set_adam_learning_rate(*optimizer_g_, lr);
  set_adam_learning_rate(*optimizer_d_, lr);
}

bool Pix2PixTrainer::state_is_finite() const {
  return module_is_finite(*generator_) && module_is_finite(*discriminator_);
}

torch::Tensor Pix2PixTrainer::preview(int /*count*/, std::uint64_t /*seed*/) {
  const int size = config_.data.image_size;
  if (preview_.empty()) return torch::zeros({3, config_.data.channels, size, size});
  torch::NoGradGuard no_grad;
  generator_->eval();  // as `synthgen translate` runs it: no dropout, BatchNorm's running statistics
  const torch::Tensor fake_b = generator_->forward(preview_.a());
  generator_->train();
  return torch::stack({preview_.a(), fake_b, preview_.b()}, 1).flatten(0, 1).to(torch::kCPU);
}

void Pix2PixTrainer::save(torch::serialize::OutputArchive& archive) {
  write_part(archive, "generator", [&](auto& part) { generator_->save(part); });
  write_part(archive, "discriminator", [&](auto& part) { discriminator_->save(part); });
  write_part(archive, "optimizer_g", [&](auto& part) { optimizer_g_->save(part); });
  write_part(archive, "optimizer_d", [&](auto& part) { optimizer_d_->save(part); });
  preview_.save(archive);
}

void Pix2PixTrainer::load(torch::serialize::InputArchive& archive) {
  io::read_weights_part(archive, "generator", *generator_);
  io::read_weights_part(archive, "discriminator", *discriminator_);
  read_part(archive, "optimizer_g", [&](auto& part) { optimizer_g_->load(part); });
  read_part(archive, "optimizer_d", [&](auto& part) { optimizer_d_->load(part); });
  preview_.load(archive, device_);
  generator_->to(device_);
  discriminator_->to(device_);
}

}  // namespace synthgen::train
