#include "synthgen/metrics/realism.h"

#include <fmt/format.h>

#include <vector>

#include "synthgen/core/error.h"
#include "synthgen/metrics/copy_check.h"

namespace synthgen::metrics {

torch::Tensor realism_scores(const torch::Tensor& real, const torch::Tensor& queries, int k, std::int64_t row_batch) {
  if (k < 1 || real.dim() != 2 || real.size(0) <= k) {
    throw RuntimeError(fmt::format("realism: k = {} needs a real set [N, D] of more than {} rows, got {}", k, k,
                                   c10::str(real.sizes())));
  }
  if (queries.dim() != 2 || queries.size(1) != real.size(1)) {
    throw RuntimeError(fmt::format("realism: queries {} do not match real features {}", c10::str(queries.sizes()),
                                   c10::str(real.sizes())));
  }
  const torch::Tensor real64 = real.to(torch::kCPU, torch::kFloat64);
  const torch::Tensor norms = real64.pow(2).sum(1);
  torch::Tensor radii = squared_knn_radii(real64, norms, k, row_batch).sqrt();
  radii.masked_fill_(radii > percentile(radii, 50.0), 0.0);
  std::vector<torch::Tensor> scores;
  for (const torch::Tensor& rows : queries.to(torch::kCPU, torch::kFloat64).split(row_batch)) {
    const torch::Tensor distances = squared_distances(rows, real64, norms).sqrt_().add_(kRealismEpsilon);
    const torch::Tensor best = std::get<1>(radii.unsqueeze(0).div(distances).max(1));
    // The winning distance again from the difference: the |a|² + |b|² - 2 a·b form loses the
    // digits of small distances, and the score of a near-copy depends on them.
    const torch::Tensor exact = (rows - real64.index_select(0, best)).pow(2).sum(1).sqrt();
    scores.push_back(radii.index_select(0, best).div(exact.add(kRealismEpsilon)));
  }
  if (scores.empty()) return torch::empty({0}, torch::kFloat64);
  return torch::cat(scores);
}

}  // namespace synthgen::metrics
