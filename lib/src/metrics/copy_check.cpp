#include "synthgen/metrics/copy_check.h"

#include <fmt/format.h>

#include <cmath>

#include "synthgen/core/error.h"

namespace synthgen::metrics {

double percentile(const torch::Tensor& values, double q) {
  if (values.numel() == 0) throw RuntimeError("percentile: no values");
  if (!(q >= 0.0 && q <= 100.0)) throw RuntimeError(fmt::format("percentile: q must be in [0, 100], got {}", q));
  const torch::Tensor sorted = std::get<0>(values.reshape({-1}).to(torch::kCPU, torch::kFloat64).sort());
  const double position = q / 100.0 * static_cast<double>(sorted.numel() - 1);
  const auto below = static_cast<std::int64_t>(std::floor(position));
  const std::int64_t above = std::min(below + 1, sorted.numel() - 1);
  const double low = sorted[below].item<double>();
  const double high = sorted[above].item<double>();
  return low + (high - low) * (position - static_cast<double>(below));
}

CopyThreshold copy_threshold(const torch::Tensor& training, std::int64_t row_batch) {
  const torch::Tensor training_distances = nearest_distinct_neighbours(training, row_batch).distance;
  const torch::Tensor finite = training_distances.masked_select(training_distances.isfinite());
  if (finite.numel() == 0) {
    throw RuntimeError(
        fmt::format("copies: the {} training images are all the same image: no distance between "
                    "two different ones to set a threshold",
                    training.size(0)));
  }
  return {percentile(finite, kCopyPercentile), finite.numel()};
}

CopyCheckResult copy_check(const torch::Tensor& training, const torch::Tensor& generated, std::int64_t row_batch) {
  const CopyThreshold threshold = copy_threshold(training, row_batch);
  CopyCheckResult result;
  result.threshold = threshold.threshold;
  result.training_distances = threshold.training_distances;
  result.nearest = nearest_neighbours(generated, training, row_batch);
  result.generated = generated.size(0);
  result.copies = result.nearest.distance.lt(result.threshold).sum().item<std::int64_t>();
  result.share =
      result.generated > 0 ? static_cast<double>(result.copies) / static_cast<double>(result.generated) : 0.0;
  return result;
}

}  // namespace synthgen::metrics
