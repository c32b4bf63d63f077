#include "synthgen/train/trainer.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"
#include "synthgen/families/registry.h"

namespace synthgen::train {

std::unique_ptr<Trainer> make_trainer(const Config& config, const torch::Device& device,
                                      const DataInfo& data) {
  return find_model_family(config.model.family).make_trainer(config, device, data);
}

void Trainer::init_from(torch::serialize::InputArchive& /*archive*/, const std::string& source) {
  throw UsageError(fmt::format("--init '{}': only srgan runs start from another run's weights", source));
}

}  // namespace synthgen::train
