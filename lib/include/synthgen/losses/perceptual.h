// The perceptual loss of SRGAN / ESRGAN: L1 distance between the features a fixed network gives
// the output and the target. The network is a TorchScript file the user gives (for instance VGG19
// up to conv5_4 before its ReLU, as ESRGAN uses; nothing is downloaded). It is fed RGB images in
// [0, 1] normalised with the ImageNet mean and std (grey repeated to three channels), and may
// return one tensor or a tuple/list of tensors, whose L1 distances are added.
#pragma once

#include <torch/script.h>
#include <torch/torch.h>

#include <string>

namespace synthgen::losses {

class PerceptualLoss {
 public:
  // Loads `path` onto `device` in eval mode with frozen weights. Throws UsageError for a missing
  // file and RuntimeError for a file that is not a TorchScript module; both name the path.
  PerceptualLoss(const std::string& path, const torch::Device& device);

  // mean |phi(output) - phi(target)| summed over the network's outputs, for images in [-1, 1]
  // [B, C, H, W] (C 1 or 3); no gradient flows into the target's branch.
  torch::Tensor operator()(const torch::Tensor& output, const torch::Tensor& target);

 private:
  std::vector<torch::Tensor> features(const torch::Tensor& images);
  std::string path_;
  torch::jit::Module module_;
};

}  // namespace synthgen::losses
