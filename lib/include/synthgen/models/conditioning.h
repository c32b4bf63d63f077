// Class conditioning shared by the GAN families (model.num_classes > 0): G takes a learned label
// embedding next to z, and D adds the projection term of Miyato & Koyama (2018),
// <embed(y), phi(x)>, to its logit.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::models {

// Checks that a conditional model got int64 labels [B] in [0, num_classes); an unconditional one
// (num_classes 0) ignores them. Throws RuntimeError saying what is wrong.
void check_labels(const torch::Tensor& labels, std::int64_t num_classes, std::int64_t batch);

// Labels first, first+1, ... cycled through the classes (image i gets class i mod num_classes):
// int64 [count] on the CPU. How samples, grids and evaluations balance a conditional model.
torch::Tensor balanced_labels(std::int64_t first, std::int64_t count, std::int64_t num_classes);

// Size of the label embedding G concatenates to z.
constexpr std::int64_t kLabelEmbeddingDim = 32;

// The projection term <embed(y), features> per image: features [B, C] -> [B].
class ProjectionImpl : public torch::nn::Module {
 public:
  ProjectionImpl(std::int64_t num_classes, std::int64_t feature_dim);
  torch::Tensor forward(const torch::Tensor& features, const torch::Tensor& labels);

 private:
  torch::nn::Embedding embed_{nullptr};
};
TORCH_MODULE(Projection);

}  // namespace synthgen::models
