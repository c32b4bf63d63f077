#include "synthgen/train/gan_trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include "synthgen/core/runtime.h"

namespace synthgen::train {
namespace {

torch::optim::AdamOptions adam_options(const TrainConfig& train) {
  return torch::optim::AdamOptions(train.lr).betas({train.betas.at(0), train.betas.at(1)});
}

void set_requires_grad(torch::nn::Module& module, bool requires_grad) {
  for (auto& param : module.parameters()) param.set_requires_grad(requires_grad);
}

}  // namespace

GanTrainer::GanTrainer(const Config& config, const torch::Device& device)
    : device_(device),
      autocast_dtype_(precision_dtype(config.run.precision)),
      loss_(losses::parse_gan_loss(config.train.loss)),
      generator_(models::make_generator(config)),
      discriminator_(models::make_discriminator(config)),
      scaler_g_(device.is_cuda() && autocast_dtype_ == torch::kHalf),
      scaler_d_(device.is_cuda() && autocast_dtype_ == torch::kHalf) {
  generator_->to(device_);
  discriminator_->to(device_);
  optimizer_g_ = std::make_unique<torch::optim::Adam>(generator_->parameters(), adam_options(config.train));
  optimizer_d_ =
      std::make_unique<torch::optim::Adam>(discriminator_->parameters(), adam_options(config.train));
}

StepMetrics GanTrainer::step(const Batch& batch) {
  const torch::Tensor& real = batch.images;
  const std::int64_t size = real.size(0);
  generator_->train();
  discriminator_->train();

  const torch::Tensor z =
      torch::randn({size, generator_->latent_dim()}, torch::TensorOptions().device(device_));
  // D's loss has a real and a fake half; each half's backward runs before the next forward, so
  // that at most one of D's graphs is held in memory at a time (gradients add up the same).
  optimizer_d_->zero_grad();
  torch::Tensor real_logits;
  torch::Tensor loss_d_real;
  {
    AutocastScope autocast(device_, autocast_dtype_);
    real_logits = discriminator_->forward(real).to(torch::kFloat);
    loss_d_real = losses::discriminator_loss_real(loss_, real_logits);
  }
  scaler_d_.backward(loss_d_real);
  torch::Tensor fake;
  torch::Tensor fake_logits;
  torch::Tensor loss_d_fake;
  {
    AutocastScope autocast(device_, autocast_dtype_);
    fake = generator_->forward(z);
    fake_logits = discriminator_->forward(fake.detach()).to(torch::kFloat);
    loss_d_fake = losses::discriminator_loss_fake(loss_, fake_logits);
  }
  scaler_d_.backward(loss_d_fake);
  scaler_d_.step(*optimizer_d_);
  const torch::Tensor loss_d = loss_d_real.detach() + loss_d_fake.detach();

  // The generator's update needs gradients through D with respect to its input only; D's own
  // weight gradients would be thrown away, so they are not computed.
  set_requires_grad(*discriminator_, false);
  torch::Tensor loss_g;
  {
    AutocastScope autocast(device_, autocast_dtype_);
    loss_g = losses::generator_loss(loss_, discriminator_->forward(fake).to(torch::kFloat));
  }
  optimizer_g_->zero_grad();
  scaler_g_.backward(loss_g);
  scaler_g_.step(*optimizer_g_);
  set_requires_grad(*discriminator_, true);

  return {{"loss_d", loss_d},
          {"loss_g", loss_g.detach()},
          {"d_real", torch::sigmoid(real_logits.detach()).mean()},
          {"d_fake", torch::sigmoid(fake_logits.detach()).mean()}};
}

void GanTrainer::set_learning_rate(double lr) {
  set_adam_learning_rate(*optimizer_g_, lr);
  set_adam_learning_rate(*optimizer_d_, lr);
}

torch::Tensor GanTrainer::preview(int count, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  generator_->eval();
  torch::Tensor images =
      generator_->forward(latents_for_seeds(seed, count, generator_->latent_dim(), device_));
  generator_->train();
  return images.to(torch::kFloat).to(torch::kCPU);
}

void GanTrainer::save(torch::serialize::OutputArchive& archive) {
  auto write_part = [&archive](const std::string& name, auto&& write) {
    torch::serialize::OutputArchive part;
    write(part);
    archive.write(name, part);
  };
  write_part("generator", [&](auto& part) { generator_->save(part); });
  write_part("discriminator", [&](auto& part) { discriminator_->save(part); });
  write_part("optimizer_g", [&](auto& part) { optimizer_g_->save(part); });
  write_part("optimizer_d", [&](auto& part) { optimizer_d_->save(part); });
  write_part("scaler_g", [&](auto& part) { scaler_g_.save(part); });
  write_part("scaler_d", [&](auto& part) { scaler_d_.save(part); });
}

void GanTrainer::load(torch::serialize::InputArchive& archive) {
  auto read_part = [&archive](const std::string& name, auto&& read) {
    torch::serialize::InputArchive part;
    archive.read(name, part);
    read(part);
  };
  read_part("generator", [&](auto& part) { generator_->load(part); });
  read_part("discriminator", [&](auto& part) { discriminator_->load(part); });
  read_part("optimizer_g", [&](auto& part) { optimizer_g_->load(part); });
  read_part("optimizer_d", [&](auto& part) { optimizer_d_->load(part); });
  read_part("scaler_g", [&](auto& part) { scaler_g_.load(part); });
  read_part("scaler_d", [&](auto& part) { scaler_d_.load(part); });
  generator_->to(device_);
  discriminator_->to(device_);
}

torch::Tensor latents_for_seeds(std::uint64_t first_seed, std::int64_t count,
                                std::int64_t latent_dim, const torch::Device& device) {
  torch::Tensor latents = torch::empty({count, latent_dim});
  for (std::int64_t i = 0; i < count; ++i) {
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(first_seed + i);
    latents[i].copy_(at::randn({latent_dim}, generator));
  }
  return latents.to(device);
}

std::shared_ptr<models::Generator> load_generator(const Config& config,
                                                  torch::serialize::InputArchive& archive,
                                                  const torch::Device& device) {
  std::shared_ptr<models::Generator> generator = models::make_generator(config);
  torch::serialize::InputArchive part;
  archive.read("generator", part);
  generator->load(part);
  generator->to(device);
  generator->eval();
  return generator;
}

}  // namespace synthgen::train
