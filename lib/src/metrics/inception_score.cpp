#include "synthgen/metrics/inception_score.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "synthgen/core/error.h"

namespace synthgen::metrics {
namespace {

constexpr double kRowSumTolerance = 1e-3;

void check_probabilities(const torch::Tensor& p) {
  const torch::Tensor row_error = (p.sum(1) - 1.0).abs();
  const std::int64_t worst = row_error.argmax().item<std::int64_t>();
  const double error = row_error[worst].item<double>();
  if (!(error <= kRowSumTolerance)) {  // also catches NaN
    throw RuntimeError(
        fmt::format("inception_score: row {} of the probabilities sums to {:.6g}, expected 1 (within {:g}); "
                    "pass softmax outputs, not logits",
                    worst, p[worst].sum().item<double>(), kRowSumTolerance));
  }
  if (p.min().item<double>() < 0.0) {
    throw RuntimeError(
        "inception_score: the probabilities have negative entries; pass softmax "
        "outputs, not logits");
  }
}

// exp(mean_rows Σ_k p (log p - log p̄)); terms with p = 0 are 0, as the limit of p log p.
double part_score(const torch::Tensor& part) {
  const torch::Tensor marginal = part.mean(0, /*keepdim=*/true);
  const torch::Tensor terms = part * (part.log() - marginal.log());
  const torch::Tensor kl = torch::where(part > 0, terms, torch::zeros_like(terms)).sum(1);
  return std::exp(kl.mean().item<double>());
}

}  // namespace

InceptionScoreResult inception_score(const torch::Tensor& probabilities, int splits) {
  if (probabilities.dim() != 2 || !probabilities.is_floating_point() || probabilities.size(1) < 1) {
    throw RuntimeError(fmt::format("inception_score: probabilities must be a float [N, K] tensor, got {} {}",
                                   c10::toString(probabilities.scalar_type()), c10::str(probabilities.sizes())));
  }
  const std::int64_t n = probabilities.size(0);
  if (splits < 1 || n < splits) {
    throw RuntimeError(
        fmt::format("inception_score: cannot cut {} rows into {} splits (need 1 <= splits <= rows)", n, splits));
  }
  const torch::Tensor p = probabilities.to(torch::kCPU, torch::kFloat64);
  check_probabilities(p);

  std::vector<double> scores;
  for (std::int64_t i = 0; i < splits; ++i) {
    scores.push_back(part_score(p.slice(0, i * n / splits, (i + 1) * n / splits)));
  }
  double mean = 0.0;
  for (double score : scores) mean += score;
  mean /= splits;
  double squares = 0.0;
  for (double score : scores) squares += (score - mean) * (score - mean);
  return InceptionScoreResult{mean, std::sqrt(squares / splits), splits};
}

}  // namespace synthgen::metrics
