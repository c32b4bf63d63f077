#include "synthgen/train/gan_trainer.h"

#include <fmt/format.h>

#include "archive_parts.h"
#include "synthgen/core/error.h"
#include "synthgen/core/runtime.h"
#include "synthgen/core/text.h"
#include "synthgen/io/strict_weights.h"
#include "synthgen/losses/mode_seeking.h"
#include "synthgen/losses/penalties.h"
#include "synthgen/models/conditioning.h"
#include "synthgen/models/progan.h"
#include "synthgen/models/progan_schedule.h"

namespace synthgen::train {
namespace {

void write_int(torch::serialize::OutputArchive& archive, const std::string& key, std::int64_t value) {
  archive.write(key, c10::IValue(value));
}

std::int64_t read_int(torch::serialize::InputArchive& archive, const std::string& key, std::int64_t fallback) {
  c10::IValue value;
  return archive.try_read(key, value) ? value.toInt() : fallback;
}

bool is_probability_loss(losses::GanLoss loss) {
  return loss == losses::GanLoss::kNonSaturating || loss == losses::GanLoss::kMinimax;
}

// Averaged weights come without matching BatchNorm statistics (the EMA copies the raw G's), and
// in eval mode mismatched statistics distort the samples. So, before the EMA generator is used
// or saved, its statistics are re-estimated from fixed latents in training mode, as a cumulative
// average (BigGAN's "standing statistics"). Fixed latents keep it deterministic.
void refresh_batchnorm_statistics(models::Generator& generator, std::int64_t num_classes, const torch::Device& device) {
  constexpr int kBatches = 16;
  constexpr std::int64_t kBatchSize = 256;
  constexpr std::uint64_t kFirstSeed = 4000000000ULL;  // apart from the seeds of samples and grids
  std::vector<torch::nn::BatchNormOptions*> norms;
  for (auto& module : generator.modules(/*include_self=*/false)) {
    if (auto* norm = module->as<torch::nn::BatchNorm2d>()) {
      norm->reset_running_stats();
      norms.push_back(&norm->options);
    } else if (auto* norm1d = module->as<torch::nn::BatchNorm1d>()) {
      norm1d->reset_running_stats();
      norms.push_back(&norm1d->options);
    }
  }
  if (norms.empty()) return;
  std::vector<c10::optional<double>> momenta;
  for (auto* options : norms) {
    momenta.push_back(options->momentum());
    options->momentum(c10::nullopt);
  }
  torch::NoGradGuard no_grad;
  const bool was_training = generator.is_training();
  generator.train();
  for (int i = 0; i < kBatches; ++i) {
    const torch::Tensor z = latents_for_seeds(kFirstSeed + static_cast<std::uint64_t>(i) * kBatchSize, kBatchSize,
                                              generator.latent_dim(), device);
    const torch::Tensor labels =
        num_classes > 0 ? models::balanced_labels(0, kBatchSize, num_classes).to(device) : torch::Tensor();
    generator.forward(z, labels);
  }
  for (std::size_t i = 0; i < norms.size(); ++i) norms[i]->momentum(momenta[i]);
  generator.train(was_training);
}

}  // namespace

GanTrainer::GanTrainer(const Config& config, const torch::Device& device, const DataInfo& data)
    : config_(config),
      device_(device),
      autocast_dtype_(precision_dtype(config.run.precision)),
      loss_(losses::parse_gan_loss(config.train.loss)),
      augment_policy_(parse_augment_policy(config.gan.augment)),
      class_names_(data.class_names),
      generator_(models::make_generator(config)),
      discriminator_(models::make_discriminator(config)),
      scaler_g_(device.is_cuda() && autocast_dtype_ == torch::kHalf),
      scaler_d_(device.is_cuda() && autocast_dtype_ == torch::kHalf) {
  check_data_classes(config.model, data, "GAN");
  generator_->to(device_);
  discriminator_->to(device_);
  optimizer_g_ = std::make_unique<torch::optim::Adam>(generator_->parameters(), adam_options(config.train));
  optimizer_d_ = std::make_unique<torch::optim::Adam>(discriminator_->parameters(), adam_options(config.train));
  if (config.train.ema_decay > 0.0) {
    ema_generator_ = models::make_generator(config);
    ema_ = start_ema(*generator_, *ema_generator_, device_);
  }
  if (auto* grows = growable(*generator_)) {
    growth_ = grows->growth();
    const std::size_t resolutions = static_cast<std::size_t>(grows->max_level()) + 1;
    const auto& sizes = config.progan.batch_sizes;
    if (!sizes.empty() && sizes.size() != resolutions) {
      throw ConfigError(
          fmt::format("train.batch_sizes: expected {} batch sizes, one per resolution 4x4 to "
                      "{}x{}, got {}",
                      resolutions, config.data.image_size, config.data.image_size, sizes.size()));
    }
  }
  apply_growth();
}

void GanTrainer::apply_growth() {
  auto* g = growable(*generator_);
  if (g == nullptr) return;
  growth_ =
      models::progan_growth(images_seen_, config_.progan.fade_images, config_.progan.stable_images, g->max_level());
  g->set_growth(growth_);
  if (auto* d = growable(*discriminator_)) d->set_growth(growth_);
  if (ema_generator_) growable(*ema_generator_)->set_growth(growth_);
}

std::int64_t GanTrainer::next_batch_size(std::int64_t configured) const {
  const auto* g = growable(*generator_);
  if (g == nullptr || config_.progan.batch_sizes.empty()) return configured;
  // The same growth step() will apply: it depends only on the images seen so far.
  const models::Growth next =
      models::progan_growth(images_seen_, config_.progan.fade_images, config_.progan.stable_images, g->max_level());
  return config_.progan.batch_sizes.at(static_cast<std::size_t>(next.level));
}

torch::Tensor GanTrainer::real_at_growth(const torch::Tensor& real) const {
  if (growable(*generator_) == nullptr) return real;
  return models::progan_real_images(real, growth_);
}

torch::Tensor GanTrainer::augment(const torch::Tensor& images) const { return diff_augment(images, augment_policy_); }

StepMetrics GanTrainer::step(const Batch& batch) {
  apply_growth();
  const torch::Tensor real = real_at_growth(batch.images);
  const std::int64_t size = real.size(0);
  const bool conditional = config_.model.num_classes > 0;
  // Fake images of a conditional model take the real batch's labels, so that D compares like
  // with like and the gradient penalty interpolates within a class.
  const torch::Tensor labels = conditional ? batch.labels : torch::Tensor();
  const bool update_g = (steps_ + 1) % config_.gan.n_critic == 0;
  generator_->train();
  discriminator_->train();
  auto critic = [this, &labels](const torch::Tensor& images) {
    return discriminator_->forward(augment(images), labels).to(torch::kFloat);
  };

  const torch::Tensor z = torch::randn({size, generator_->latent_dim()}, torch::TensorOptions().device(device_));
  // D's loss has a real and a fake half; each half's backward runs before the next forward, so
  // that at most one of D's graphs is held in memory at a time (gradients add up the same).
  optimizer_d_->zero_grad();
  torch::Tensor real_logits;
  torch::Tensor loss_d_real;
  {
    AutocastScope autocast(device_, autocast_dtype_);
    real_logits = critic(real);
    loss_d_real = losses::discriminator_loss_real(loss_, real_logits);
  }
  if (config_.gan.drift > 0.0) loss_d_real = loss_d_real + config_.gan.drift * losses::drift_penalty(real_logits);
  if (config_.gan.r1_gamma > 0.0) {
    loss_d_real = loss_d_real + 0.5 * config_.gan.r1_gamma * losses::r1_penalty(critic, real.detach());
  }
  scaler_d_.backward(loss_d_real);
  torch::Tensor fake;
  torch::Tensor fake_logits;
  torch::Tensor loss_d_fake;
  {
    // Without a G update this step, the fake batch needs no graph.
    torch::AutoGradMode graph(update_g);
    AutocastScope autocast(device_, autocast_dtype_);
    fake = generator_->forward(z, labels);
  }
  {
    AutocastScope autocast(device_, autocast_dtype_);
    fake_logits = critic(fake.detach());
    loss_d_fake = losses::discriminator_loss_fake(loss_, fake_logits);
  }
  if (loss_ == losses::GanLoss::kWganGp) {
    loss_d_fake =
        loss_d_fake + config_.gan.gp_weight * losses::gradient_penalty(critic, real.detach().to(torch::kFloat),
                                                                       fake.detach().to(torch::kFloat));
  }
  scaler_d_.backward(loss_d_fake);
  nonfinite_ = !scaler_d_.step(*optimizer_d_) && !scaler_d_.enabled();
  const torch::Tensor loss_d = loss_d_real.detach() + loss_d_fake.detach();
  ++steps_;
  images_seen_ += size;

  if (update_g) {
    // G's update needs gradients through D with respect to its input only; D's own weight
    // gradients would be thrown away, so they are not computed.
    set_requires_grad(*discriminator_, false);
    torch::Tensor loss_g;
    {
      AutocastScope autocast(device_, autocast_dtype_);
      loss_g = losses::generator_loss(loss_, critic(fake));
    }
    if (config_.gan.mode_seeking > 0.0) {
      // Pairs of the batch's own samples of one class: no extra forward pass.
      const torch::Tensor mode_seeking = losses::mode_seeking_penalty(fake, z, labels);
      loss_g = loss_g + config_.gan.mode_seeking * mode_seeking;
      last_mode_seeking_ = mode_seeking.detach();
    }
    optimizer_g_->zero_grad();
    scaler_g_.backward(loss_g);
    nonfinite_ = (!scaler_g_.step(*optimizer_g_) && !scaler_g_.enabled()) || nonfinite_;
    set_requires_grad(*discriminator_, true);
    if (ema_) {
      ema_->update(*generator_, config_.train.ema_decay);
      ema_->copy_to(*ema_generator_);
    }
    last_loss_g_ = loss_g.detach();
  }

  auto mean_output = [this](const torch::Tensor& logits) {
    return is_probability_loss(loss_) ? torch::sigmoid(logits.detach()).mean() : logits.detach().mean();
  };
  StepMetrics metrics = {{"loss_d", loss_d},
                         {"loss_g", last_loss_g_.defined() ? last_loss_g_ : torch::zeros({}, loss_d.options())},
                         {"d_real", mean_output(real_logits)},
                         {"d_fake", mean_output(fake_logits)}};
  if (config_.gan.mode_seeking > 0.0) {
    metrics.emplace_back("mode_seeking",
                         last_mode_seeking_.defined() ? last_mode_seeking_ : torch::zeros({}, loss_d.options()));
  }
  if (growable(*generator_) != nullptr) {
    metrics.emplace_back("resolution", torch::full({}, static_cast<double>(4 << growth_.level), loss_d.options()));
    metrics.emplace_back("alpha", torch::full({}, growth_.alpha, loss_d.options()));
  }
  return metrics;
}

bool GanTrainer::state_is_finite() const {
  return module_is_finite(*generator_) && module_is_finite(*discriminator_) &&
         (!ema_generator_ || module_is_finite(*ema_generator_));
}

void GanTrainer::set_learning_rate(double lr) {
  set_adam_learning_rate(*optimizer_g_, lr);
  set_adam_learning_rate(*optimizer_d_, lr);
}

torch::Tensor GanTrainer::preview(int count, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  models::Generator& network = ema_generator_ ? *ema_generator_ : *generator_;
  if (ema_generator_) refresh_batchnorm_statistics(network, config_.model.num_classes, device_);
  const bool was_training = network.is_training();
  network.eval();
  // Conditional grids cycle through the classes: row by row, one class after another.
  const torch::Tensor labels = config_.model.num_classes > 0
                                   ? models::balanced_labels(0, count, config_.model.num_classes).to(device_)
                                   : torch::Tensor();
  torch::Tensor images =
      generate(network, latents_for_seeds(seed, count, network.latent_dim(), device_), labels, config_.data.image_size);
  network.train(was_training);
  return images.to(torch::kFloat).to(torch::kCPU);
}

void GanTrainer::save(torch::serialize::OutputArchive& archive) {
  write_part(archive, "generator", [&](auto& part) { generator_->save(part); });
  write_part(archive, "discriminator", [&](auto& part) { discriminator_->save(part); });
  write_part(archive, "optimizer_g", [&](auto& part) { optimizer_g_->save(part); });
  write_part(archive, "optimizer_d", [&](auto& part) { optimizer_d_->save(part); });
  write_part(archive, "scaler_g", [&](auto& part) { scaler_g_.save(part); });
  write_part(archive, "scaler_d", [&](auto& part) { scaler_d_.save(part); });
  if (ema_) {
    refresh_batchnorm_statistics(*ema_generator_, config_.model.num_classes, device_);
    write_part(archive, "generator_ema", [&](auto& part) { ema_generator_->save(part); });
    write_part(archive, "ema", [&](auto& part) { ema_->save(part); });
  }
  write_int(archive, "steps", steps_);
  write_int(archive, "images_seen", images_seen_);
  write_growth(archive, growth_);
  archive.write("class_names", c10::IValue(join_lines(class_names_)));
}

void GanTrainer::load(torch::serialize::InputArchive& archive) {
  steps_ = read_int(archive, "steps", 0);
  images_seen_ = read_int(archive, "images_seen", 0);
  // A growing network's parameters exist at every stage; the stage only selects the path.
  apply_growth();
  io::read_weights_part(archive, "generator", *generator_);
  io::read_weights_part(archive, "discriminator", *discriminator_);
  read_part(archive, "optimizer_g", [&](auto& part) { optimizer_g_->load(part); });
  read_part(archive, "optimizer_d", [&](auto& part) { optimizer_d_->load(part); });
  read_part(archive, "scaler_g", [&](auto& part) { scaler_g_.load(part); });
  read_part(archive, "scaler_d", [&](auto& part) { scaler_d_.load(part); });
  if (ema_) {
    read_part(archive, "ema", [&](auto& part) { ema_->load(part); });
    ema_->copy_to(*ema_generator_);
  }
  generator_->to(device_);
  discriminator_->to(device_);
  // The G update of a step that resumes: the last G loss is unknown until then.
  last_loss_g_ = torch::Tensor();
}

}  // namespace synthgen::train
