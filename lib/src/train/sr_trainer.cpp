#include "synthgen/train/sr_trainer.h"

#include <fmt/format.h>

#include "archive_parts.h"

#include "synthgen/core/error.h"
#include "synthgen/data/bicubic.h"
#include "synthgen/io/strict_weights.h"
#include "synthgen/losses/gan_losses.h"

namespace synthgen::train {
torch::Tensor batch_psnr(const torch::Tensor& output, const torch::Tensor& target) {
  // [-1, 1] spans 2 units = 255 levels: PSNR = 10 log10(2^2 / mse).
  const torch::Tensor mse = (output.detach().clamp(-1.0, 1.0) - target).square().mean();
  return 10.0 * torch::log10(4.0 / mse.clamp_min(1e-12));
}

SrTrainer::SrTrainer(const Config& config, const torch::Device& device)
    : config_(config), device_(device), degradation_(data::degradation_from(config.srgan)) {
  if (config.run.precision != "fp32") {
    throw ConfigError(fmt::format("run.precision: srgan trains in fp32 only, got {}", config.run.precision));
  }
  generator_ = models::SrGenerator(config);
  generator_->to(device_);
  optimizer_g_ = std::make_unique<torch::optim::Adam>(generator_->parameters(), adam_options(config.train));
  if (config.srgan.gan_weight > 0.0) {
    discriminator_ = models::SrDiscriminator(config);
    discriminator_->to(device_);
    optimizer_d_ = std::make_unique<torch::optim::Adam>(discriminator_->parameters(), adam_options(config.train));
  }
  if (config.srgan.perceptual_weight > 0.0) {
    perceptual_ = std::make_unique<losses::PerceptualLoss>(config.srgan.perceptual_net, device_);
  }
  if (config.train.ema_decay > 0.0) {
    ema_generator_ = models::SrGenerator(config);
    ema_ = start_ema(*generator_, *ema_generator_, device_);
  }
}

StepMetrics SrTrainer::step(const Batch& batch) {
  const int scale = config_.srgan.sr_scale;
  const torch::Tensor hr = data::random_sr_crops(batch.images, config_.srgan.sr_patch, config_.data.random_flip);
  const torch::Tensor lr = data::make_lr_images(hr, scale, degradation_);
  if (!preview_hr_.defined()) {
    const std::int64_t keep = std::min<std::int64_t>(3, hr.size(0));
    preview_hr_ = hr.slice(0, 0, keep).clone();
    preview_lr_ = lr.slice(0, 0, keep).clone();
  }
  generator_->train();
  const torch::Tensor sr = generator_->forward(lr);
  const torch::Tensor loss_pixel = (sr - hr).abs().mean();
  torch::Tensor loss_g = config_.srgan.pixel_weight * loss_pixel;
  StepMetrics metrics;
  torch::Tensor loss_perceptual;
  if (perceptual_) {
    loss_perceptual = (*perceptual_)(sr, hr);
    loss_g = loss_g + config_.srgan.perceptual_weight * loss_perceptual;
  }
  torch::Tensor real_logits;
  torch::Tensor fake_logits;
  if (discriminator_) {
    // G's step needs gradients through D with respect to its input only.
    discriminator_->train();
    set_requires_grad(*discriminator_, false);
    const torch::Tensor real_for_g = discriminator_->forward(hr).detach();
    const torch::Tensor fake_for_g = discriminator_->forward(sr);
    loss_g = loss_g + config_.srgan.gan_weight * losses::relativistic_generator_loss(real_for_g, fake_for_g);
    set_requires_grad(*discriminator_, true);
  }
  optimizer_g_->zero_grad();
  scaler_g_.backward(loss_g);
  nonfinite_ = !scaler_g_.step(*optimizer_g_);
  if (ema_) {
    ema_->update(*generator_, config_.train.ema_decay);
    ema_->copy_to(*ema_generator_);
  }
  metrics.emplace_back("loss_g", loss_g.detach());
  metrics.emplace_back("loss_pixel", loss_pixel.detach());
  metrics.emplace_back("psnr", batch_psnr(sr, hr));
  if (perceptual_) metrics.emplace_back("loss_perceptual", loss_perceptual.detach());
  if (discriminator_) {
    optimizer_d_->zero_grad();
    real_logits = discriminator_->forward(hr);
    fake_logits = discriminator_->forward(sr.detach());
    const torch::Tensor loss_d = losses::relativistic_discriminator_loss(real_logits, fake_logits);
    scaler_d_.backward(loss_d);
    nonfinite_ = !scaler_d_.step(*optimizer_d_) || nonfinite_;
    metrics.emplace_back("loss_d", loss_d.detach());
    metrics.emplace_back("d_real", real_logits.detach().mean());
    metrics.emplace_back("d_fake", fake_logits.detach().mean());
  }
  ++steps_;
  return metrics;
}

void SrTrainer::set_learning_rate(double lr) {
  set_adam_learning_rate(*optimizer_g_, lr);
  if (optimizer_d_) set_adam_learning_rate(*optimizer_d_, lr);
}

bool SrTrainer::state_is_finite() const {
  return module_is_finite(*generator_) && (!discriminator_ || module_is_finite(*discriminator_)) &&
         (!ema_generator_ || module_is_finite(*ema_generator_));
}

torch::Tensor SrTrainer::preview(int /*count*/, std::uint64_t /*seed*/) {
  const int patch = config_.srgan.sr_patch;
  if (!preview_hr_.defined()) return torch::zeros({1, config_.data.channels, patch, patch});
  torch::NoGradGuard no_grad;
  models::SrGenerator& network = ema_generator_ ? ema_generator_ : generator_;
  const bool was_training = network->is_training();
  network->eval();
  const torch::Tensor sr = network->forward(preview_lr_).clamp(-1.0, 1.0);
  network->train(was_training);
  const torch::Tensor bicubic = data::bicubic_resize(preview_lr_, patch, patch).clamp(-1.0, 1.0);
  // Interleaved so that make_grid's 3 columns put each crop's three versions on one row.
  return torch::stack({bicubic, sr, preview_hr_}, 1).flatten(0, 1).to(torch::kCPU);
}

void SrTrainer::save(torch::serialize::OutputArchive& archive) {
  write_part(archive, "generator", [&](auto& part) { generator_->save(part); });
  write_part(archive, "optimizer_g", [&](auto& part) { optimizer_g_->save(part); });
  if (discriminator_) {
    write_part(archive, "discriminator", [&](auto& part) { discriminator_->save(part); });
    write_part(archive, "optimizer_d", [&](auto& part) { optimizer_d_->save(part); });
  }
  if (ema_) {
    write_part(archive, "generator_ema", [&](auto& part) { ema_generator_->save(part); });
    write_part(archive, "ema", [&](auto& part) { ema_->save(part); });
  }
  archive.write("steps", c10::IValue(steps_));
  if (preview_hr_.defined()) {
    archive.write("preview_lr", preview_lr_);
    archive.write("preview_hr", preview_hr_);
  }
}

void SrTrainer::load(torch::serialize::InputArchive& archive) {
  c10::IValue steps;
  if (archive.try_read("steps", steps)) steps_ = steps.toInt();
  io::read_weights_part(archive, "generator", *generator_);
  read_part(archive, "optimizer_g", [&](auto& part) { optimizer_g_->load(part); });
  if (discriminator_) {
    io::read_weights_part(archive, "discriminator", *discriminator_);
    read_part(archive, "optimizer_d", [&](auto& part) { optimizer_d_->load(part); });
  }
  if (ema_) {
    read_part(archive, "ema", [&](auto& part) { ema_->load(part); });
    ema_->copy_to(*ema_generator_);
  }
  torch::Tensor lr;
  torch::Tensor hr;
  if (archive.try_read("preview_lr", lr) && archive.try_read("preview_hr", hr)) {
    preview_lr_ = lr.to(device_);
    preview_hr_ = hr.to(device_);
  }
  generator_->to(device_);
  if (discriminator_) discriminator_->to(device_);
}

void SrTrainer::init_from(torch::serialize::InputArchive& archive, const std::string& source) {
  // The first stage's averaged weights when it kept them: they score higher than the raw ones.
  torch::serialize::InputArchive part;
  if (!archive.try_read("generator_ema", part)) archive.read("generator", part);
  io::load_weights_strict(*generator_, part,
                          fmt::format("--init '{}': its generator does not fit this config (model.sr_scale, "
                                      "sr_block, sr_blocks, sr_growth, base_channels and data.channels must be "
                                      "that run's)",
                                      source));
  generator_->to(device_);
  if (ema_) ema_ = start_ema(*generator_, *ema_generator_, device_);
}

LoadedSrGenerator load_sr_generator(const Config& config, torch::serialize::InputArchive& archive,
                                    const torch::Device& device, bool use_ema) {
  LoadedSrGenerator loaded;
  loaded.network = models::SrGenerator(config);
  io::read_weights_part_preferring(archive, "generator_ema", "generator", use_ema, *loaded.network);
  loaded.network->to(device);
  loaded.network->eval();
  loaded.scale = config.srgan.sr_scale;
  loaded.channels = config.data.channels;
  return loaded;
}

}  // namespace synthgen::train
