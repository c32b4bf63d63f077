#include "synthgen/models/cyclegan.h"

#include "synthgen/models/translation_blocks.h"

namespace synthgen::models {
namespace {

torch::nn::Conv2dOptions conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                              std::int64_t padding, bool bias) {
  return torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(bias);
}

}  // namespace

ResnetBlockImpl::ResnetBlockImpl(std::int64_t channels, const std::string& norm) {
  const bool bias = translation_conv_bias(norm);
  body_ = register_module("body", torch::nn::Sequential());
  body_->push_back(torch::nn::ReflectionPad2d(1));
  body_->push_back(torch::nn::Conv2d(conv(channels, channels, 3, 1, 0, bias)));
  body_->push_back(translation_norm(norm, channels));
  body_->push_back(torch::nn::ReLU());
  body_->push_back(torch::nn::ReflectionPad2d(1));
  body_->push_back(torch::nn::Conv2d(conv(channels, channels, 3, 1, 0, bias)));
  body_->push_back(translation_norm(norm, channels));
}

torch::Tensor ResnetBlockImpl::forward(const torch::Tensor& x) { return x + body_->forward(x); }

ResnetGeneratorImpl::ResnetGeneratorImpl(int channels, int base_channels, int blocks, const std::string& norm) {
  const bool bias = translation_conv_bias(norm);
  const std::int64_t b = base_channels;
  layers_ = register_module("layers", torch::nn::Sequential());
  // Reflection padding instead of zeros keeps the borders free of dark-edge artefacts.
  layers_->push_back(torch::nn::ReflectionPad2d(3));
  layers_->push_back(torch::nn::Conv2d(conv(channels, b, 7, 1, 0, bias)));
  layers_->push_back(translation_norm(norm, b));
  layers_->push_back(torch::nn::ReLU());
  for (std::int64_t width : {b, 2 * b}) {
    layers_->push_back(torch::nn::Conv2d(conv(width, 2 * width, 3, 2, 1, bias)));
    layers_->push_back(translation_norm(norm, 2 * width));
    layers_->push_back(torch::nn::ReLU());
  }
  for (int i = 0; i < blocks; ++i) layers_->push_back(ResnetBlock(4 * b, norm));
  // 4x4 stride-2 transposed convs double the side exactly (the paper's 3x3 ones need an output
  // padding, which the fast CPU transposed conv of models/blocks.h does not take).
  for (std::int64_t width : {4 * b, 2 * b}) {
    layers_->push_back(TransposedConv2d(TransposedConv2dOptions(width, width / 2, 4).stride(2).padding(1).bias(bias)));
    layers_->push_back(translation_norm(norm, width / 2));
    layers_->push_back(torch::nn::ReLU());
  }
  layers_->push_back(torch::nn::ReflectionPad2d(3));
  layers_->push_back(torch::nn::Conv2d(conv(b, channels, 7, 1, 0, true)));
  layers_->push_back(torch::nn::Tanh());
  init_translation_weights(*this);
}

torch::Tensor ResnetGeneratorImpl::forward(const torch::Tensor& x) { return layers_->forward(x); }

}  // namespace synthgen::models
