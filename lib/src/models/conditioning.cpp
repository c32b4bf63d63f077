#include "synthgen/models/conditioning.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"

namespace synthgen::models {

void check_labels(const torch::Tensor& labels, std::int64_t num_classes, std::int64_t batch) {
  if (num_classes == 0) return;
  if (!labels.defined()) {
    throw RuntimeError(fmt::format("this model is class-conditional (model.num_classes {}); give labels", num_classes));
  }
  if (labels.dim() != 1 || labels.size(0) != batch || labels.scalar_type() != torch::kLong) {
    throw RuntimeError(fmt::format("labels: expected int64 [{}], got {} of shape {}", batch,
                                   c10::toString(labels.scalar_type()), c10::str(labels.sizes())));
  }
  if (labels.numel() > 0 &&
      (labels.min().item<std::int64_t>() < 0 || labels.max().item<std::int64_t>() >= num_classes)) {
    throw RuntimeError(fmt::format("labels: expected classes 0..{} (model.num_classes {}), got {}..{}", num_classes - 1,
                                   num_classes, labels.min().item<std::int64_t>(), labels.max().item<std::int64_t>()));
  }
}

torch::Tensor balanced_labels(std::int64_t first, std::int64_t count, std::int64_t num_classes) {
  return torch::arange(first, first + count, torch::TensorOptions().dtype(torch::kLong)).remainder(num_classes);
}

ProjectionImpl::ProjectionImpl(std::int64_t num_classes, std::int64_t feature_dim) {
  embed_ = register_module("embed", torch::nn::Embedding(num_classes, feature_dim));
  // Small start: the projection term should not swamp the unconditional logit at first.
  torch::NoGradGuard no_grad;
  embed_->weight.normal_(0.0, 0.02);
}

torch::Tensor ProjectionImpl::forward(const torch::Tensor& features, const torch::Tensor& labels) {
  return (embed_->forward(labels) * features).sum(1);
}

}  // namespace synthgen::models
