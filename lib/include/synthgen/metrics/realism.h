// Realism score of Kynkäänniemi et al. 2019 ("Improved precision and recall metric for assessing
// generative models", appendix): how deep inside the real manifold of improved precision/recall
// a sample lies. Above 1 means inside at least one real point's ball.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "synthgen/metrics/nearest_neighbours.h"

namespace synthgen::metrics {

// Added to each distance against division by zero (a query identical to a real point), as the
// authors' code adds 1e-5 (there to squared distances).
constexpr double kRealismEpsilon = 1e-5;

// R(q) = max_i r_i / (||q - real_i|| + kRealismEpsilon) for each query row, where r_i is real_i's
// distance to its k-th nearest other real point, and the half of the real points with the largest
// radii (above numpy's median of the radii) are left out, as in the paper, so that outliers with
// huge balls do not dominate. The paper's formula, with distances; the authors' code divides
// squared distances, which gives the square of this score (same order, same threshold 1).
// real [N, D] with N > k, queries [M, D]; float64 [M] on the CPU. Throws RuntimeError for N <= k
// or mismatched shapes.
torch::Tensor realism_scores(const torch::Tensor& real, const torch::Tensor& queries, int k = 3,
                             std::int64_t row_batch = kNeighbourRowBatch);

}  // namespace synthgen::metrics
