#include "synthgen/train/trainer.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"
#include "synthgen/families/registry.h"

namespace synthgen::train {

std::unique_ptr<Trainer> make_trainer(const Config& config, const torch::Device& device, const DataInfo& data) {
  return find_model_family(config.model.family).make_trainer(config, device, data);
}

void check_data_classes(const ModelConfig& model, const DataInfo& data, const std::string& model_name) {
  const std::int64_t classes = model.num_classes;
  if (classes > 0 && data.num_classes != classes) {
    throw RuntimeError(fmt::format(
        "model.num_classes is {} but the data {}; a class-conditional {} needs labelled data with as many classes",
        classes, data.num_classes == 0 ? "has no labels" : fmt::format("has {} classes", data.num_classes),
        model_name));
  }
}

void Trainer::init_from(torch::serialize::InputArchive& /*archive*/, const std::string& source) {
  throw UsageError(fmt::format("--init '{}': only srgan runs start from another run's weights", source));
}

}  // namespace synthgen::train
