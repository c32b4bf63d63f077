#include "synthgen/train/cyclegan_trainer.h"

#include <fmt/format.h>

#include "archive_parts.h"
#include "synthgen/core/error.h"
#include "synthgen/data/translation_data.h"
#include "synthgen/io/strict_weights.h"
#include "synthgen/losses/translation_losses.h"
#include "synthgen/train/pix2pix_trainer.h"

namespace synthgen::train {
namespace {

std::vector<torch::Tensor> parameters_of(std::initializer_list<torch::nn::Module*> modules) {
  std::vector<torch::Tensor> parameters;
  for (torch::nn::Module* module : modules) {
    for (const torch::Tensor& p : module->parameters()) parameters.push_back(p);
  }
  return parameters;
}

}  // namespace

CycleGanTrainer::CycleGanTrainer(const Config& config, const torch::Device& device)
    : config_(config),
      device_(device),
      loss_(losses::parse_gan_loss(config.train.loss)),
      pool_a_(config.cyclegan.pool_size),
      pool_b_(config.cyclegan.pool_size) {
  if (config.run.precision != "fp32") {
    throw ConfigError(fmt::format("run.precision: cyclegan trains in fp32 only, got {}", config.run.precision));
  }
  const ModelConfig& m = config.model;
  const int channels = config.data.channels;
  generator_ab_ = models::ResnetGenerator(channels, m.base_channels, config.cyclegan.generator_blocks, m.norm);
  generator_ba_ = models::ResnetGenerator(channels, m.base_channels, config.cyclegan.generator_blocks, m.norm);
  discriminator_a_ = models::PatchDiscriminator(channels, m.base_channels, m.norm);
  discriminator_b_ = models::PatchDiscriminator(channels, m.base_channels, m.norm);
  for (torch::nn::Module* module :
       {static_cast<torch::nn::Module*>(generator_ab_.get()), static_cast<torch::nn::Module*>(generator_ba_.get()),
        static_cast<torch::nn::Module*>(discriminator_a_.get()),
        static_cast<torch::nn::Module*>(discriminator_b_.get())}) {
    module->to(device_);
  }
  optimizer_g_ = std::make_unique<torch::optim::Adam>(parameters_of({generator_ab_.get(), generator_ba_.get()}),
                                                      adam_options(config.train));
  optimizer_d_ = std::make_unique<torch::optim::Adam>(parameters_of({discriminator_a_.get(), discriminator_b_.get()}),
                                                      adam_options(config.train));
}

StepMetrics CycleGanTrainer::step(const Batch& batch) {
  const torch::Tensor examples = data::translation_crop(batch.images, config_.data.image_size);
  const torch::Tensor real_a = data::domain_a(examples);
  const torch::Tensor real_b = data::domain_b(examples);
  preview_.collect(real_a, real_b);
  generator_ab_->train();
  generator_ba_->train();
  discriminator_a_->train();
  discriminator_b_->train();
  const double cycle_weight = config_.cyclegan.cycle_weight;
  const double identity_weight = cycle_weight * config_.cyclegan.identity_weight;

  // Both generators, with the discriminators frozen.
  set_requires_grad(*discriminator_a_, false);
  set_requires_grad(*discriminator_b_, false);
  const torch::Tensor fake_b = generator_ab_->forward(real_a);
  const torch::Tensor fake_a = generator_ba_->forward(real_b);
  const torch::Tensor loss_cycle =
      losses::cycle_loss(real_a, generator_ba_->forward(fake_b), real_b, generator_ab_->forward(fake_a), cycle_weight);
  torch::Tensor loss_identity = torch::zeros({}, real_a.options());
  if (identity_weight > 0.0) {
    loss_identity = losses::identity_loss(real_a, generator_ba_->forward(real_a), real_b,
                                          generator_ab_->forward(real_b), identity_weight);
  }
  const torch::Tensor loss_g_gan = losses::patch_generator_loss(loss_, discriminator_b_->forward(fake_b)) +
                                   losses::patch_generator_loss(loss_, discriminator_a_->forward(fake_a));
  const torch::Tensor loss_g = loss_g_gan + loss_cycle + loss_identity;
  optimizer_g_->zero_grad();
  scaler_g_.backward(loss_g);
  nonfinite_ = !scaler_g_.step(*optimizer_g_);
  set_requires_grad(*discriminator_a_, true);
  set_requires_grad(*discriminator_b_, true);

  // Both discriminators, each on its real domain against pooled fakes of it.
  const torch::Tensor pooled_b = pool_b_.query(fake_b.detach());
  const torch::Tensor pooled_a = pool_a_.query(fake_a.detach());
  const torch::Tensor loss_d_b =
      losses::patch_discriminator_loss(loss_, discriminator_b_->forward(real_b), discriminator_b_->forward(pooled_b));
  const torch::Tensor loss_d_a =
      losses::patch_discriminator_loss(loss_, discriminator_a_->forward(real_a), discriminator_a_->forward(pooled_a));
  optimizer_d_->zero_grad();
  scaler_d_.backward(loss_d_a + loss_d_b);
  nonfinite_ = !scaler_d_.step(*optimizer_d_) || nonfinite_;

  return {{"loss_g", loss_g.detach()},         {"loss_g_gan", loss_g_gan.detach()},
          {"loss_cycle", loss_cycle.detach()}, {"loss_identity", loss_identity.detach()},
          {"loss_d_a", loss_d_a.detach()},     {"loss_d_b", loss_d_b.detach()}};
}

void CycleGanTrainer::set_learning_rate(double lr) {
  set_adam_learning_rate(*optimizer_g_, lr);
  set_adam_learning_rate(*optimizer_d_, lr);
}

bool CycleGanTrainer::state_is_finite() const {
  return module_is_finite(*generator_ab_) && module_is_finite(*generator_ba_) && module_is_finite(*discriminator_a_) &&
         module_is_finite(*discriminator_b_);
}

torch::Tensor CycleGanTrainer::preview(int /*count*/, std::uint64_t /*seed*/) {
  const int size = config_.data.image_size;
  if (preview_.empty()) return torch::zeros({6, config_.data.channels, size, size});
  torch::NoGradGuard no_grad;
  generator_ab_->eval();
  generator_ba_->eval();
  const torch::Tensor fake_b = generator_ab_->forward(preview_.a());
  const torch::Tensor fake_a = generator_ba_->forward(preview_.b());
  const torch::Tensor rows = torch::stack(
      {preview_.a(), fake_b, generator_ba_->forward(fake_b), preview_.b(), fake_a, generator_ab_->forward(fake_a)}, 1);
  generator_ab_->train();
  generator_ba_->train();
  return rows.flatten(0, 1).to(torch::kCPU);
}

void CycleGanTrainer::save(torch::serialize::OutputArchive& archive) {
  write_part(archive, "generator_ab", [&](auto& part) { generator_ab_->save(part); });
  write_part(archive, "generator_ba", [&](auto& part) { generator_ba_->save(part); });
  write_part(archive, "discriminator_a", [&](auto& part) { discriminator_a_->save(part); });
  write_part(archive, "discriminator_b", [&](auto& part) { discriminator_b_->save(part); });
  write_part(archive, "optimizer_g", [&](auto& part) { optimizer_g_->save(part); });
  write_part(archive, "optimizer_d", [&](auto& part) { optimizer_d_->save(part); });
  pool_a_.save(archive, "pool_a");
  pool_b_.save(archive, "pool_b");
  preview_.save(archive);
}

void CycleGanTrainer::load(torch::serialize::InputArchive& archive) {
  io::read_weights_part(archive, "generator_ab", *generator_ab_);
  io::read_weights_part(archive, "generator_ba", *generator_ba_);
  io::read_weights_part(archive, "discriminator_a", *discriminator_a_);
  io::read_weights_part(archive, "discriminator_b", *discriminator_b_);
  read_part(archive, "optimizer_g", [&](auto& part) { optimizer_g_->load(part); });
  read_part(archive, "optimizer_d", [&](auto& part) { optimizer_d_->load(part); });
  pool_a_.load(archive, "pool_a", device_);
  pool_b_.load(archive, "pool_b", device_);
  preview_.load(archive, device_);
  for (torch::nn::Module* module :
       {static_cast<torch::nn::Module*>(generator_ab_.get()), static_cast<torch::nn::Module*>(generator_ba_.get()),
        static_cast<torch::nn::Module*>(discriminator_a_.get()),
        static_cast<torch::nn::Module*>(discriminator_b_.get())}) {
    module->to(device_);
  }
}

}  // namespace synthgen::train
