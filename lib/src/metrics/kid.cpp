#include "synthgen/metrics/kid.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "synthgen/core/error.h"

namespace synthgen::metrics {
namespace {

void check_features(const torch::Tensor& features, const char* which) {
  if (features.dim() != 2 || !features.is_floating_point()) {
    throw RuntimeError(fmt::format("KID: {} features must be a float [N, D] tensor, got {} {}", which,
                                   c10::toString(features.scalar_type()), c10::str(features.sizes())));
  }
  if (features.size(0) < 2) {
    throw RuntimeError(fmt::format("KID: {} features need at least 2 rows, got {}", which, features.size(0)));
  }
}

// A uniform integer in [0, bound) from mt19937_64 by rejection, so that the draw is the same on
// every standard library (std::uniform_int_distribution is implementation-defined).
std::int64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  std::uint64_t value;
  do {
    value = rng();
  } while (value >= limit);
  return static_cast<std::int64_t>(value % bound);
}

// m distinct row indices out of n: the first m of a partial Fisher-Yates shuffle.
torch::Tensor draw_rows(std::mt19937_64& rng, std::int64_t n, std::int64_t m) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  for (std::int64_t i = 0; i < m; ++i) {
    std::swap(order[i], order[i + uniform_below(rng, static_cast<std::uint64_t>(n - i))]);
  }
  return torch::tensor(std::vector<std::int64_t>(order.begin(), order.begin() + m), torch::kInt64);
}

torch::Tensor cubic_kernel(const torch::Tensor& x, const torch::Tensor& y, double dim) {
  return (x.mm(y.t()) / dim + 1.0).pow(3);
}

// Unbiased MMD² of two subsets of equal size m.
double unbiased_mmd2(const torch::Tensor& x, const torch::Tensor& y) {
  const double m = static_cast<double>(x.size(0));
  const double dim = static_cast<double>(x.size(1));
  const torch::Tensor k_xx = cubic_kernel(x, x, dim);
  const torch::Tensor k_yy = cubic_kernel(y, y, dim);
  const torch::Tensor k_xy = cubic_kernel(x, y, dim);
  const double within = (k_xx.sum() - k_xx.trace() + k_yy.sum() - k_yy.trace()).item<double>();
  return within / (m * (m - 1)) - 2.0 * k_xy.sum().item<double>() / (m * m);
}

}  // namespace

KidResult kernel_inception_distance(const torch::Tensor& real, const torch::Tensor& fake, std::int64_t num_subsets,
                                    std::int64_t max_subset_size, std::uint64_t seed) {
  check_features(real, "real");
  check_features(fake, "fake");
  if (real.size(1) != fake.size(1)) {
    throw RuntimeError(fmt::format("KID: feature sizes differ: {} vs {}", real.size(1), fake.size(1)));
  }
  if (num_subsets < 1 || max_subset_size < 2) {
    throw RuntimeError(fmt::format("KID: need num_subsets >= 1 and max_subset_size >= 2, got {} and {}", num_subsets,
                                   max_subset_size));
  }
  const torch::Tensor x_all = real.to(torch::kCPU, torch::kFloat64);
  const torch::Tensor y_all = fake.to(torch::kCPU, torch::kFloat64);
  const std::int64_t m = std::min({x_all.size(0), y_all.size(0), max_subset_size});
  // Subsets as large as both sets are both whole sets every time: one of them says all there is,
  // and a spread over copies of it (std 0) would pass for a measured one.
  const std::int64_t subsets = m == x_all.size(0) && m == y_all.size(0) ? 1 : num_subsets;

  std::mt19937_64 rng(seed);
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(subsets));
  for (std::int64_t subset = 0; subset < subsets; ++subset) {
    const torch::Tensor x = x_all.index_select(0, draw_rows(rng, x_all.size(0), m));
    const torch::Tensor y = y_all.index_select(0, draw_rows(rng, y_all.size(0), m));
    values.push_back(unbiased_mmd2(x, y));
  }

  const double count = static_cast<double>(values.size());
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / count;
  double squares = 0.0;
  for (double value : values) squares += (value - mean) * (value - mean);
  return KidResult{mean, std::sqrt(squares / count), m, subsets};
}

}  // namespace synthgen::metrics
