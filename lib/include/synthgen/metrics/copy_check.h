// Does a generator copy its training set? Generated images are compared with how close training
// images lie to one another in a feature space: `synthgen eval --metrics copies`.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "synthgen/metrics/nearest_neighbours.h"

namespace synthgen::metrics {

// The threshold is this percentile of the training set's nearest-neighbour distances: a generated
// image counts as a copy when it lies closer to a training image than 99% of training images lie
// to their nearest other one. Held-out real images score about 0.01, copies about 1.
constexpr double kCopyPercentile = 1.0;

struct CopyCheckResult {
  double threshold = 0;                 // kCopyPercentile-th percentile of the training 1-NN distances
  std::int64_t copies = 0;              // generated images nearer than the threshold to a training image
  std::int64_t generated = 0;           // generated images checked
  double share = 0;                     // copies / generated
  std::int64_t training_distances = 0;  // training images with a distinct nearest neighbour
  NearestNeighbours nearest;            // per generated image: its nearest training image
};

// numpy.percentile(values, q) with numpy's default linear interpolation, over a 1-D tensor.
// Throws RuntimeError for an empty tensor or q outside [0, 100].
double percentile(const torch::Tensor& values, double q);

struct CopyThreshold {
  double threshold = 0;                 // kCopyPercentile-th percentile of the training 1-NN distances
  std::int64_t training_distances = 0;  // training images with a distinct nearest neighbour
};

// The threshold of the training set [N, D]: its distances skip each image's exact duplicates
// (nearest_distinct_neighbours), so that a training set with repeated images still gives a
// threshold above 0. Throws RuntimeError when no training image has a distinct neighbour.
CopyThreshold copy_threshold(const torch::Tensor& training, std::int64_t row_batch = kNeighbourRowBatch);

// training [N, D], generated [M, D], float features of the same network: copy_threshold, and each
// generated image's nearest training image. Throws RuntimeError as copy_threshold does, or for
// mismatched shapes.
CopyCheckResult copy_check(const torch::Tensor& training, const torch::Tensor& generated,
                           std::int64_t row_batch = kNeighbourRowBatch);

}  // namespace synthgen::metrics
