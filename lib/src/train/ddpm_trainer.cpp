#include "synthgen/train/ddpm_trainer.h"

#include "archive_parts.h"

#include "synthgen/core/runtime.h"
#include "synthgen/core/text.h"
#include "synthgen/io/strict_weights.h"
#include "synthgen/models/conditioning.h"
#include "synthgen/models/diffusion_sampler.h"

namespace synthgen::train {
torch::Tensor diffusion_target(models::DiffusionModel& model, const torch::Tensor& x0, const torch::Tensor& t,
                               const torch::Tensor& noise) {
  return model->prediction == "v" ? model->schedule->v_target(x0, t, noise) : noise;
}

torch::Tensor drop_labels(const torch::Tensor& labels, std::int64_t num_classes, double p) {
  if (p <= 0.0) return labels;
  const torch::Tensor drop = torch::rand({labels.size(0)}, torch::TensorOptions().device(labels.device())) < p;
  return torch::where(drop, torch::full_like(labels, num_classes), labels);
}

DdpmTrainer::DdpmTrainer(const Config& config, const torch::Device& device, const DataInfo& data)
    : config_(config),
      device_(device),
      autocast_dtype_(precision_dtype(config.run.precision)),
      class_names_(data.class_names),
      scaler_(device.is_cuda() && autocast_dtype_ == torch::kHalf) {
  check_data_classes(config.model, data, "ddpm");
  model_ = models::DiffusionModel(config);
  model_->to(device_);
  optimizer_ = std::make_unique<torch::optim::Adam>(model_->parameters(), adam_options(config.train));
  if (config.train.ema_decay > 0.0) {
    ema_model_ = models::DiffusionModel(config);
    ema_ = start_ema(*model_, *ema_model_, device_);
  }
}

StepMetrics DdpmTrainer::step(const Batch& batch) {
  const torch::Tensor& x0 = batch.images;
  const std::int64_t size = x0.size(0);
  model_->train();
  const auto index_options = torch::TensorOptions().dtype(torch::kLong).device(device_);
  const torch::Tensor t = torch::randint(0, model_->schedule->timesteps(), {size}, index_options);
  const torch::Tensor noise = torch::randn_like(x0);
  const torch::Tensor x_t = model_->schedule->noised(x0, t, noise);
  torch::Tensor labels;
  if (config_.model.num_classes > 0) {
    models::check_labels(batch.labels, config_.model.num_classes, size);
    labels = drop_labels(batch.labels, config_.model.num_classes, config_.ddpm.label_dropout);
  }
  torch::Tensor output;
  {
    AutocastScope autocast(device_, autocast_dtype_);
    output = model_->unet->forward(x_t, t, labels);
  }
  const torch::Tensor loss = (output.to(torch::kFloat) - diffusion_target(model_, x0, t, noise)).square().mean();
  optimizer_->zero_grad();
  scaler_.backward(loss);
  nonfinite_ = !scaler_.step(*optimizer_) && !scaler_.enabled();
  if (ema_) {
    ema_->update(*model_, config_.train.ema_decay);
    ema_->copy_to(*ema_model_);
  }
  ++steps_;
  return {{"loss", loss.detach()}};
}

void DdpmTrainer::set_learning_rate(double lr) { set_adam_learning_rate(*optimizer_, lr); }

bool DdpmTrainer::state_is_finite() const {
  return module_is_finite(*model_) && (!ema_model_ || module_is_finite(*ema_model_));
}

torch::Tensor DdpmTrainer::preview(int count, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  models::DiffusionModel& network = ema_model_ ? ema_model_ : model_;
  std::vector<std::uint64_t> seeds;
  for (int i = 0; i < count; ++i) seeds.push_back(seed + static_cast<std::uint64_t>(i));
  const torch::Tensor labels =
      config_.model.num_classes > 0 ? models::balanced_labels(0, count, config_.model.num_classes) : torch::Tensor();
  models::SamplerOptions options;
  options.kind = "ddim";
  // DDIM with at most 50 steps, and no more steps than the run trained: a short smoke run's grid
  // then costs about as much as its training, not minutes of sampling.
  options.steps =
      std::min<std::int64_t>({50, network->schedule->timesteps(), std::max<std::int64_t>(2, config_.train.steps)});
  return models::sample_diffusion(network, seeds, labels, options, device_).to(torch::kFloat).to(torch::kCPU);
}

void DdpmTrainer::save(torch::serialize::OutputArchive& archive) {
  write_part(archive, "model", [&](auto& part) { model_->save(part); });
  write_part(archive, "optimizer", [&](auto& part) { optimizer_->save(part); });
  write_part(archive, "scaler", [&](auto& part) { scaler_.save(part); });
  if (ema_) {
    write_part(archive, "model_ema", [&](auto& part) { ema_model_->save(part); });
    write_part(archive, "ema", [&](auto& part) { ema_->save(part); });
  }
  archive.write("steps", c10::IValue(steps_));
  archive.write("class_names", c10::IValue(join_lines(class_names_)));
}

void DdpmTrainer::load(torch::serialize::InputArchive& archive) {
  c10::IValue steps;
  if (archive.try_read("steps", steps)) steps_ = steps.toInt();
  io::read_weights_part(archive, "model", *model_);
  read_part(archive, "optimizer", [&](auto& part) { optimizer_->load(part); });
  read_part(archive, "scaler", [&](auto& part) { scaler_.load(part); });
  if (ema_) {
    read_part(archive, "ema", [&](auto& part) { ema_->load(part); });
    ema_->copy_to(*ema_model_);
  }
  model_->to(device_);
}

}  // namespace synthgen::train
