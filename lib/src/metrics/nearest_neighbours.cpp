#include "synthgen/metrics/nearest_neighbours.h"

#include <fmt/format.h>

#include <limits>
#include <vector>

#include "synthgen/core/error.h"

namespace synthgen::metrics {
namespace {

void check_neighbour_inputs(const torch::Tensor& queries, const torch::Tensor& reference, std::int64_t row_batch) {
  for (const torch::Tensor* set : {&queries, &reference}) {
    if (set->dim() != 2 || !set->is_floating_point()) {
      throw RuntimeError(fmt::format("nearest_neighbours: features must be a float [N, D] tensor, got {} {}",
                                     c10::toString(set->scalar_type()), c10::str(set->sizes())));
    }
  }
  if (queries.size(1) != reference.size(1)) {
    throw RuntimeError(
        fmt::format("nearest_neighbours: feature sizes differ: {} vs {}", queries.size(1), reference.size(1)));
  }
  if (reference.size(0) == 0) throw RuntimeError("nearest_neighbours: the reference set is empty");
  if (row_batch < 1) throw RuntimeError(fmt::format("nearest_neighbours: row_batch must be >= 1, got {}", row_batch));
}

// The nearest column of each row of squared distances between `rows` and `reference`; rows that
// are all inf get index -1 and distance inf. The distance is computed again from the difference
// of the two vectors: the |a|² + |b|² - 2 a·b form loses the digits of small distances (a copy
// would lie 1e-7 away, not 0).
NearestNeighbours row_minimum(const torch::Tensor& squared, const torch::Tensor& rows, const torch::Tensor& reference) {
  const auto [value, index] = squared.min(1);
  const torch::Tensor none = value.isinf();
  const torch::Tensor nearest = reference.index_select(0, index);
  const torch::Tensor distance =
      (rows - nearest).pow(2).sum(1).sqrt().masked_fill(none, std::numeric_limits<double>::infinity());
  return {distance, index.masked_fill(none, -1)};
}

NearestNeighbours concatenated(const std::vector<NearestNeighbours>& parts) {
  std::vector<torch::Tensor> distances;
  std::vector<torch::Tensor> indices;
  for (const NearestNeighbours& part : parts) {
    distances.push_back(part.distance);
    indices.push_back(part.index);
  }
  return {torch::cat(distances), torch::cat(indices)};
}

}  // namespace

torch::Tensor squared_distances(const torch::Tensor& rows, const torch::Tensor& columns,
                                const torch::Tensor& column_norms) {
  const torch::Tensor row_norms = rows.pow(2).sum(1, /*keepdim=*/true);
  return rows.mm(columns.t()).mul_(-2.0).add_(row_norms).add_(column_norms).clamp_min_(0);
}

torch::Tensor squared_knn_radii(const torch::Tensor& set, const torch::Tensor& norms, int k, std::int64_t row_batch) {
  std::vector<torch::Tensor> radii;
  // The (k+1)-th smallest squared distance in a row: the first is the point's zero to itself.
  for (const torch::Tensor& rows : set.split(row_batch)) {
    radii.push_back(std::get<0>(squared_distances(rows, set, norms).kthvalue(k + 1, 1)));
  }
  return torch::cat(radii);
}

NearestNeighbours nearest_neighbours(const torch::Tensor& queries, const torch::Tensor& reference,
                                     std::int64_t row_batch) {
  check_neighbour_inputs(queries, reference, row_batch);
  const torch::Tensor reference64 = reference.to(torch::kCPU, torch::kFloat64);
  const torch::Tensor norms = reference64.pow(2).sum(1);
  std::vector<NearestNeighbours> parts;
  for (const torch::Tensor& rows : queries.to(torch::kCPU, torch::kFloat64).split(row_batch)) {
    parts.push_back(row_minimum(squared_distances(rows, reference64, norms), rows, reference64));
  }
  if (parts.empty()) return {torch::empty({0}, torch::kFloat64), torch::empty({0}, torch::kInt64)};
  return concatenated(parts);
}

NearestNeighbours nearest_distinct_neighbours(const torch::Tensor& set, std::int64_t row_batch) {
  check_neighbour_inputs(set, set, row_batch);
  const torch::Tensor set64 = set.to(torch::kCPU, torch::kFloat64);
  const torch::Tensor norms = set64.pow(2).sum(1);
  std::vector<NearestNeighbours> parts;
  std::int64_t first = 0;
  for (const torch::Tensor& rows : set64.split(row_batch)) {
    torch::Tensor squared = squared_distances(rows, set64, norms);
    const torch::Tensor row_norms = norms.narrow(0, first, rows.size(0)).unsqueeze(1);
    const torch::Tensor same = squared.le((row_norms + norms) * kSamePointTolerance);
    // The diagonal too: a zero vector's distance to itself is within no relative tolerance.
    same.narrow(1, first, rows.size(0)).diagonal().fill_(true);
    squared.masked_fill_(same, std::numeric_limits<double>::infinity());
    parts.push_back(row_minimum(squared, rows, set64));
    first += rows.size(0);
  }
  return concatenated(parts);
}

}  // namespace synthgen::metrics
