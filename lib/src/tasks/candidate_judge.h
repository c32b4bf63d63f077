// The verdict on each candidate of a filtered `synthgen sample`: the classifier of --keep-if, fed
// the image as it is written to disk, and the near-copy test of --reject-copies-of in that
// classifier's features (the copy check of `eval --metrics copies`).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "synthgen/core/runtime.h"
#include "synthgen/eval/feature_network.h"
#include "synthgen/tasks/sample_filter.h"
#include "synthgen/train/image_generator.h"

namespace synthgen {

struct CandidateVerdict {
  bool confident = false;  // the classifier agrees (conditional) or is sure of some class, with p >= P
  bool near_copy = false;  // confident, and nearer to a training image than the copy distance
  std::int64_t label = 0;  // the manifest's label: the conditioning label, or the classifier's argmax
  float confidence = 0;    // the classifier's probability of that label
  double distance = std::numeric_limits<double>::quiet_NaN();  // to the nearest training image (confident ones)
  bool passed() const { return confident && !near_copy; }
};

class CandidateJudge {
 public:
  // Opens the classifier of filter.keep_if and, with reject_copies_of, the training set's
  // features (read in batches of `batch`) and the copy distance. Throws UsageError when the
  // classifier's classes cannot be matched to a conditional generator's (by name when both name
  // them, else by index).
  CandidateJudge(const SampleFilter& filter, const ImageGenerator& generator, const Runtime& runtime, int batch);

  // images: uint8 [B, C, H, W] on the CPU, as written; labels: the conditioning labels (int64 [B])
  // or undefined for an unconditional model.
  std::vector<CandidateVerdict> judge(const torch::Tensor& images, const torch::Tensor& labels);

  // Names of the manifest's labels: the generator's classes, or the classifier's when it labels.
  const std::vector<std::string>& label_names() const { return label_names_; }
  bool rejects_copies() const { return training_features_.defined(); }
  double copy_distance() const { return copy_distance_; }
  std::string classifier_name() const { return network_->name(); }

 private:
  double min_confidence_;
  std::unique_ptr<eval::FeatureNetwork> network_;
  torch::Tensor classifier_class_;  // int64 [K]: the classifier's class for each conditioning label
  std::vector<std::string> label_names_;
  torch::Tensor training_features_;  // float64 [N, D]
  double copy_distance_ = 0;
};

}  // namespace synthgen
