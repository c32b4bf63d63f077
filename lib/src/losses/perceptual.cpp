#include "synthgen/losses/perceptual.h"

#include <fmt/format.h>

#include <filesystem>

#include "synthgen/core/error.h"

namespace synthgen::losses {

PerceptualLoss::PerceptualLoss(const std::string& path, const torch::Device& device) : path_(path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw UsageError(
        fmt::format("train.perceptual_net '{}' does not exist (a TorchScript feature network file)", path));
  }
  try {
    module_ = torch::jit::load(path, device);
  } catch (const c10::Error& e) {
    throw RuntimeError(
        fmt::format("train.perceptual_net '{}' is not a TorchScript module: {}", path, e.what_without_backtrace()));
  }
  module_.eval();
  for (auto param : module_.parameters()) param.set_requires_grad(false);
}

std::vector<torch::Tensor> PerceptualLoss::features(const torch::Tensor& images) {
  torch::Tensor rgb = images.size(1) == 1 ? images.expand({-1, 3, -1, -1}) : images;
  const auto options = rgb.options();
  const torch::Tensor mean = torch::tensor({0.485, 0.456, 0.406}, options).view({1, 3, 1, 1});
  const torch::Tensor std = torch::tensor({0.229, 0.224, 0.225}, options).view({1, 3, 1, 1});
  rgb = ((rgb + 1.0) * 0.5 - mean) / std;
  torch::jit::IValue out;
  try {
    out = module_.forward({rgb});
  } catch (const c10::Error& e) {
    throw RuntimeError(fmt::format("train.perceptual_net '{}' failed on a {} batch: {}", path_, c10::str(rgb.sizes()),
                                   e.what_without_backtrace()));
  }
  std::vector<torch::Tensor> result;
  if (out.isTensor()) {
    result.push_back(out.toTensor());
  } else if (out.isTuple()) {
    for (const auto& item : out.toTuple()->elements()) result.push_back(item.toTensor());
  } else if (out.isTensorList()) {
    for (const torch::Tensor& item : out.toTensorVector()) result.push_back(item);
  } else {
    throw RuntimeError(fmt::format(
        "train.perceptual_net '{}' returned {}, expected a tensor or a tuple/list of tensors", path_, out.tagKind()));
  }
  return result;
}

torch::Tensor PerceptualLoss::operator()(const torch::Tensor& output, const torch::Tensor& target) {
  std::vector<torch::Tensor> target_features;
  {
    torch::NoGradGuard no_grad;
    target_features = features(target);
  }
  const std::vector<torch::Tensor> output_features = features(output);
  torch::Tensor total = torch::zeros({}, output.options());
  for (std::size_t i = 0; i < output_features.size(); ++i) {
    total = total + (output_features[i] - target_features[i]).abs().mean();
  }
  return total;
}

}  // namespace synthgen::losses
