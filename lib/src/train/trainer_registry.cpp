#include "synthgen/models/gan.h"
#include "synthgen/train/gan_trainer.h"
#include "synthgen/train/trainer.h"

namespace synthgen::train {

std::unique_ptr<Trainer> make_trainer(const Config& config, const torch::Device& device) {
  // Every family so far is a GAN; find_gan_family names the known families when this one is not.
  models::find_gan_family(config.model.family);
  return std::make_unique<GanTrainer>(config, device);
}

}  // namespace synthgen::train
