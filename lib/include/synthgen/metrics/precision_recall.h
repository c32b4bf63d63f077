// Improved precision and recall (Kynkäänniemi et al. 2019), as stylegan2-ada's
// metrics/precision_recall.py: each set's manifold is the union of balls around its points, with
// radius the distance to the point's k-th nearest neighbour in the same set.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::metrics {

struct PrecisionRecallResult {
  double precision;  // fraction of fake points inside the real manifold
  double recall;     // fraction of real points inside the fake manifold
  int k;             // neighbourhood size used for the radii
};

// real [N_r, D], fake [N_f, D], any float dtype. A point is inside a manifold when its distance to
// at least one manifold point is <= that point's radius. Euclidean distances are computed in
// float64 (stylegan2-ada uses float16 features, which can flip points lying on a ball's edge),
// `row_batch` rows against all columns at a time, so memory is O(row_batch · N). Throws
// RuntimeError for k < 1, k >= the rows of either set, row_batch < 1, or different feature sizes.
PrecisionRecallResult precision_recall(const torch::Tensor& real, const torch::Tensor& fake, int k = 3,
                                       std::int64_t row_batch = 2048);

}  // namespace synthgen::metrics
