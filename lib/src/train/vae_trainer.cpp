#include "synthgen/train/vae_trainer.h"

#include <fmt/format.h>

#include "archive_parts.h"

#include <ATen/CPUGeneratorImpl.h>

#include "synthgen/core/error.h"
#include "synthgen/core/text.h"
#include "synthgen/io/strict_weights.h"
#include "synthgen/losses/vae_losses.h"
#include "synthgen/models/conditioning.h"
#include "synthgen/train/gan_trainer.h"

namespace synthgen::train {

ElboTerms elbo_terms(models::Vae& vae, const torch::Tensor& images, const torch::Tensor& labels,
                     const torch::Tensor& eps) {
  const models::Posterior q = vae->encode(images, labels);
  const torch::Tensor z = q.mu + torch::exp(0.5 * q.logvar) * eps;
  return {vae->reconstruction_nll(vae->decode(z, labels), images), losses::kl_to_standard_normal(q.mu, q.logvar)};
}

VaeTrainer::VaeTrainer(const Config& config, const torch::Device& device, const DataInfo& data)
    : config_(config), device_(device), class_names_(data.class_names) {
  if (config.run.precision != "fp32") {
    // The ELBO sums thousands of per-pixel terms: it is kept in fp32.
    throw ConfigError(fmt::format("run.precision: vae trains in fp32 only, got {}", config.run.precision));
  }
  check_data_classes(config.model, data, "vae");
  vae_ = models::Vae(models::vae_options(config));
  vae_->to(device_);
  optimizer_ = std::make_unique<torch::optim::Adam>(vae_->parameters(), adam_options(config.train));
}

StepMetrics VaeTrainer::step(const Batch& batch) {
  vae_->train();
  const torch::Tensor labels = config_.model.num_classes > 0 ? batch.labels : torch::Tensor();
  const torch::Tensor eps =
      torch::randn({batch.images.size(0), config_.model.latent_dim}, torch::TensorOptions().device(device_));
  const ElboTerms terms = elbo_terms(vae_, batch.images, labels, eps);
  const torch::Tensor nll = terms.nll.mean();
  const torch::Tensor kl = terms.kl.mean();
  const torch::Tensor loss = nll + config_.vae.kl_beta * kl;
  optimizer_->zero_grad();
  loss.backward();
  bool finite = torch::isfinite(loss).item<bool>();
  for (const auto& param : vae_->parameters()) {
    if (finite && param.grad().defined()) finite = torch::isfinite(param.grad()).all().item<bool>();
  }
  nonfinite_ = !finite;
  if (finite) optimizer_->step();
  ++steps_;
  return {{"loss", loss.detach()}, {"nll", nll.detach()}, {"kl", kl.detach()}};
}

void VaeTrainer::set_learning_rate(double lr) { set_adam_learning_rate(*optimizer_, lr); }

torch::Tensor VaeTrainer::preview(int count, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  const bool was_training = vae_->is_training();
  vae_->eval();
  const torch::Tensor labels = config_.model.num_classes > 0
                                   ? models::balanced_labels(0, count, config_.model.num_classes).to(device_)
                                   : torch::Tensor();
  const torch::Tensor z = latents_for_seeds(seed, count, config_.model.latent_dim, device_);
  const torch::Tensor images = vae_->mean_image(vae_->decode(z, labels));
  vae_->train(was_training);
  return images.to(torch::kCPU);
}

MetricValues VaeTrainer::evaluate(const data::ImageDataset& held_out) {
  torch::NoGradGuard no_grad;
  const bool was_training = vae_->is_training();
  vae_->eval();
  constexpr std::int64_t kBatch = 500;
  constexpr std::uint64_t kEvalSeed = 271828;  // the same draws at every evaluation
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(kEvalSeed);
  const bool conditional = config_.model.num_classes > 0;
  double nll_sum = 0.0;
  double kl_sum = 0.0;
  const std::int64_t count = held_out.size();
  for (std::int64_t first = 0; first < count; first += kBatch) {
    const std::int64_t last = std::min(count, first + kBatch);
    const torch::Tensor images = (held_out.images.slice(0, first, last).to(torch::kFloat) / 127.5 - 1.0).to(device_);
    const torch::Tensor labels = conditional ? held_out.labels.slice(0, first, last).to(device_) : torch::Tensor();
    const torch::Tensor eps = at::randn({last - first, config_.model.latent_dim}, generator).to(device_);
    const ElboTerms terms = elbo_terms(vae_, images, labels, eps);
    nll_sum += terms.nll.sum().item<double>();
    kl_sum += terms.kl.sum().item<double>();
  }
  vae_->train(was_training);
  const double n = static_cast<double>(std::max<std::int64_t>(count, 1));
  const double elbo = -(nll_sum + kl_sum) / n;
  const std::int64_t dims = held_out.images.numel() / std::max<std::int64_t>(count, 1);
  return {{"test_elbo_nats", elbo},
          {"test_bits_per_dim", losses::bits_per_dim(-elbo, dims, config_.vae.likelihood)},
          {"test_kl", kl_sum / n}};
}

void VaeTrainer::save(torch::serialize::OutputArchive& archive) {
  write_part(archive, "vae", [&](auto& part) { vae_->save(part); });
  write_part(archive, "optimizer", [&](auto& part) { optimizer_->save(part); });
  archive.write("steps", c10::IValue(steps_));
  archive.write("class_names", c10::IValue(join_lines(class_names_)));
}

void VaeTrainer::load(torch::serialize::InputArchive& archive) {
  c10::IValue steps;
  if (archive.try_read("steps", steps)) steps_ = steps.toInt();
  io::read_weights_part(archive, "vae", *vae_);
  read_part(archive, "optimizer", [&](auto& part) { optimizer_->load(part); });
  vae_->to(device_);
}

}  // namespace synthgen::train
