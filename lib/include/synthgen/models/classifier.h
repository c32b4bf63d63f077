// The built-in image classifier (`model.family: classifier`): a small VGG-style CNN that
// `synthgen train` fits to any labelled data set. `synthgen eval` uses its penultimate layer as a
// feature network (FID, KID, precision/recall on data where Inception-v3 does not fit, such as
// 28x28 grey images), its softmax for the Inception Score, and it is the classifier of the
// classification accuracy score.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::models {

struct ClassifierShape {
  int channels = 1;
  int image_size = 28;
  int base_channels = 32;
  std::int64_t num_classes = 10;
};

// Three blocks of 3x3 convolution, BatchNorm, ReLU and 2x2 max pooling (base, 2*base, 4*base
// feature maps), pooled to 3x3, then a 256-unit hidden layer (the features) and the class logits.
class ImageClassifierImpl : public torch::nn::Module {
 public:
  static constexpr std::int64_t kFeatureDim = 256;

  explicit ImageClassifierImpl(const ClassifierShape& shape);
  // Images [B, C, H, W] in [-1, 1] -> logits [B, num_classes].
  torch::Tensor forward(const torch::Tensor& images);
  // The penultimate layer, after its ReLU: [B, kFeatureDim].
  torch::Tensor features(const torch::Tensor& images);
  torch::Tensor logits_from_features(const torch::Tensor& features);
  const ClassifierShape& shape() const { return shape_; }

 private:
  ClassifierShape shape_;
  torch::nn::Sequential body_{nullptr};
  torch::nn::Linear hidden_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear output_{nullptr};
};
TORCH_MODULE(ImageClassifier);

}  // namespace synthgen::models
