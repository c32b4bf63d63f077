#include "synthgen/models/translation_blocks.h"

namespace synthgen::models {

torch::nn::AnyModule translation_norm(const std::string& norm, std::int64_t channels) {
  if (norm == "batch") return torch::nn::AnyModule(torch::nn::BatchNorm2d(channels));
  if (norm == "instance") {
    return torch::nn::AnyModule(
        torch::nn::InstanceNorm2d(torch::nn::InstanceNorm2dOptions(channels).affine(false).track_running_stats(false)));
  }
  return torch::nn::AnyModule(torch::nn::Identity());
}

namespace {

void init_own_parameters(torch::nn::Module& module) {
  if (auto* norm = module.as<torch::nn::BatchNorm2dImpl>()) {
    norm->weight.normal_(1.0, 0.02);
    norm->bias.zero_();
    return;
  }
  for (auto& item : module.named_parameters(/*recurse=*/false)) {
    if (item.value().dim() == 4) item.value().normal_(0.0, 0.02);
    if (item.key() == "bias") item.value().zero_();
  }
}

}  // namespace

void init_translation_weights(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  // Called from constructors, where the module is not yet held by a shared_ptr: visit it and its
  // descendants without asking for itself as one.
  init_own_parameters(module);
  for (const auto& child : module.modules(/*include_self=*/false)) init_own_parameters(*child);
}

}  // namespace synthgen::models
