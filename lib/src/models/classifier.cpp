#include "synthgen/models/classifier.h"

#include <fmt/format.h>

#include "synthgen/core/error.h"

namespace synthgen::models {
namespace {

void add_block(torch::nn::Sequential& body, std::int64_t in, std::int64_t out) {
  // No convolution bias: the BatchNorm after it has its own shift.
  body->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
  body->push_back(torch::nn::BatchNorm2d(out));
  body->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
  body->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
}

}  // namespace

ImageClassifierImpl::ImageClassifierImpl(const ClassifierShape& shape) : shape_(shape) {
  if (shape.image_size < 8) {
    throw ConfigError(
        fmt::format("data.image_size: the classifier needs images of at least 8x8, got {}", shape.image_size));
  }
  if (shape.num_classes < 2) {
    throw RuntimeError(fmt::format("the classifier needs at least 2 classes, the data has {}", shape.num_classes));
  }
  const std::int64_t base = shape.base_channels;
  body_ = torch::nn::Sequential();
  add_block(body_, shape.channels, base);
  add_block(body_, base, 2 * base);
  add_block(body_, 2 * base, 4 * base);
  // 28x28 inputs are 3x3 here already; larger ones are averaged down to the same grid.
  body_->push_back(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(3)));
  body_->push_back(torch::nn::Flatten());
  register_module("body", body_);
  hidden_ = register_module("hidden", torch::nn::Linear(4 * base * 9, kFeatureDim));
  dropout_ = register_module("dropout", torch::nn::Dropout(0.3));
  output_ = register_module("output", torch::nn::Linear(kFeatureDim, shape.num_classes));
}

torch::Tensor ImageClassifierImpl::features(const torch::Tensor& images) {
  return torch::relu(hidden_->forward(body_->forward(images)));
}

torch::Tensor ImageClassifierImpl::logits_from_features(const torch::Tensor& features) {
  return output_->forward(dropout_->forward(features));
}

torch::Tensor ImageClassifierImpl::forward(const torch::Tensor& images) {
  return logits_from_features(features(images));
}

}  // namespace synthgen::models
