#include <fmt/format.h>

#include <cmath>

#include "synthgen/core/error.h"
#include "synthgen/models/gan.h"
#include "synthgen/train/classifier_trainer.h"
#include "synthgen/train/gan_trainer.h"
#include "synthgen/train/trainer.h"

namespace synthgen::train {

std::unique_ptr<Trainer> make_trainer(const Config& config, const torch::Device& device,
                                      const DataInfo& data) {
  if (config.model.family == "classifier") {
    return std::make_unique<ClassifierTrainer>(config, device, data);
  }
  // find_gan_family names the known families when this one is not.
  models::find_gan_family(config.model.family);
  return std::make_unique<GanTrainer>(config, device, data);
}

double scheduled_learning_rate(const TrainConfig& train, std::int64_t steps_done) {
  if (train.lr_schedule != "cosine") return train.lr;
  const double progress = static_cast<double>(steps_done) / static_cast<double>(train.steps);
  return train.lr * 0.5 * (1.0 + std::cos(M_PI * std::min(progress, 1.0)));
}

void set_adam_learning_rate(torch::optim::Adam& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  }
}

}  // namespace synthgen::train
