#include "synthgen/metrics/precision_recall.h"

#include <fmt/format.h>

#include <vector>

#include "synthgen/core/error.h"
#include "synthgen/metrics/nearest_neighbours.h"

namespace synthgen::metrics {
namespace {

void check_features(const torch::Tensor& features, const char* which, int k) {
  if (features.dim() != 2 || !features.is_floating_point()) {
    throw RuntimeError(fmt::format("precision_recall: {} features must be a float [N, D] tensor, got {} {}", which,
                                   c10::toString(features.scalar_type()), c10::str(features.sizes())));
  }
  if (features.size(0) <= k) {
    throw RuntimeError(
        fmt::format("precision_recall: k = {} needs more than {} {} rows (the point itself is not a "
                    "neighbour), got {}",
                    k, k, which, features.size(0)));
  }
}

// Fraction of probes within the radius of at least one manifold point.
double fraction_inside(const torch::Tensor& manifold, const torch::Tensor& probes, int k, std::int64_t row_batch) {
  const torch::Tensor norms = manifold.pow(2).sum(1);
  const torch::Tensor radii = squared_knn_radii(manifold, norms, k, row_batch).unsqueeze(0);
  std::int64_t inside = 0;
  for (const torch::Tensor& rows : probes.split(row_batch)) {
    inside += (squared_distances(rows, manifold, norms) <= radii).any(1).sum().item<std::int64_t>();
  }
  return static_cast<double>(inside) / static_cast<double>(probes.size(0));
}

}  // namespace

PrecisionRecallResult precision_recall(const torch::Tensor& real, const torch::Tensor& fake, int k,
                                       std::int64_t row_batch) {
  if (k < 1 || row_batch < 1) {
    throw RuntimeError(
        fmt::format("precision_recall: need k >= 1 and row_batch >= 1, got k = {}, row_batch = {}", k, row_batch));
  }
  check_features(real, "real", k);
  check_features(fake, "fake", k);
  if (real.size(1) != fake.size(1)) {
    throw RuntimeError(fmt::format("precision_recall: feature sizes differ: {} vs {}", real.size(1), fake.size(1)));
  }
  const torch::Tensor real64 = real.to(torch::kCPU, torch::kFloat64);
  const torch::Tensor fake64 = fake.to(torch::kCPU, torch::kFloat64);
  return PrecisionRecallResult{fraction_inside(real64, fake64, k, row_batch),
                               fraction_inside(fake64, real64, k, row_batch), k};
}

}  // namespace synthgen::metrics
