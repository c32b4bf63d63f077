// Runs a feature network over an image source batch by batch, keeping only its outputs: memory
// grows with the number of feature vectors, never with the images.
#pragma once

#include <torch/torch.h>

#include <string>

#include "synthgen/eval/feature_network.h"
#include "synthgen/eval/image_source.h"

namespace synthgen::eval {

struct ExtractedSet {
  torch::Tensor features;       // float [N, D], when asked for
  torch::Tensor probabilities;  // float [N, K], when asked for
  torch::Tensor labels;         // int64 [N], when the source has labels
  std::int64_t count = 0;
};

// `role` names the set in progress lines ("real", "fake").
ExtractedSet extract(ImageSource& source, FeatureNetwork& network, bool want_features, bool want_probabilities,
                     int batch, const std::string& role);

}  // namespace synthgen::eval
