// The networks that turn images into features (FID, KID, precision/recall) and class
// probabilities (Inception Score): the standard FID Inception-v3 as TorchScript, or the built-in
// classifier from a synthgen checkpoint.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "synthgen/eval/image_source.h"

namespace synthgen::eval {

struct NetworkOutputs {
  torch::Tensor features;       // float [B, D] on the CPU, when asked for
  torch::Tensor probabilities;  // float [B, K] on the CPU, rows summing to 1, when asked for
};

class FeatureNetwork {
 public:
  virtual ~FeatureNetwork() = default;
  // The images it takes; sources deliver them in this format.
  virtual ImageFormat input_format() const = 0;
  // uint8 images [B, C, H, W] in input_format() -> the outputs asked for.
  virtual NetworkOutputs run(const torch::Tensor& images, bool want_features, bool want_probabilities) = 0;
  // "inception:/path/inception-2015-12-05.pt" or "classifier:/run/checkpoints/latest.ckpt".
  virtual std::string name() const = 0;
  // How images are fed, stored beside every score (protocols give different numbers).
  virtual std::string protocol() const = 0;
  // Names of the classes its probabilities are over, when it knows them (the built-in classifier
  // does): `accuracy` matches a set's class names to them.
  virtual std::vector<std::string> class_names() const { return {}; }
};

// "inception:FILE" (TorchScript with stylegan2-ada's call signature) or "classifier:CKPT" (a
// checkpoint file or run folder of model.family classifier). Throws UsageError for another form
// and RuntimeError naming the file when it cannot be loaded.
std::unique_ptr<FeatureNetwork> open_feature_network(const std::string& spec, const torch::Device& device);

}  // namespace synthgen::eval
