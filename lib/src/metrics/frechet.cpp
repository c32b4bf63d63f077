#include "synthgen/metrics/frechet.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <optional>

#include "synthgen/core/error.h"
#include "synthgen/core/tensor_text.h"

namespace synthgen::metrics {
namespace {

// A square root whose residual is above this is refined with the Denman-Beavers iteration; one
// above kResidualLimit is refused.
constexpr double kResidualGood = 1e-12;
constexpr double kResidualLimit = 1e-6;
constexpr int kDenmanBeaversIterations = 100;

torch::Tensor as_cpu_double(const torch::Tensor& t) { return t.to(torch::kCPU, torch::kFloat64); }

torch::Tensor symmetric_part(const torch::Tensor& m) { return (m + m.t()) * 0.5; }

// ||X·X - A||_F / ||A||_F, infinite when X holds NaN or infinity.
double sqrt_residual(const torch::Tensor& x, const torch::Tensor& a, double a_norm) {
  const double residual = (x.mm(x) - a).norm().item<double>() / a_norm;
  return std::isfinite(residual) ? residual : std::numeric_limits<double>::infinity();
}

// V diag(sqrt(λ)) V^-1 from the complex eigendecomposition, principal branch; the real part.
// Accurate for diagonalizable matrices; a defective one gives a nearly singular V.
std::optional<torch::Tensor> eigen_sqrt(const torch::Tensor& a) {
  try {
    auto [values, vectors] = torch::linalg::eig(a);
    const torch::Tensor scaled = vectors * torch::sqrt(values).unsqueeze(0);
    return torch::real(torch::linalg::solve(vectors, scaled, /*left=*/false)).contiguous();
  } catch (const c10::Error&) {
    return std::nullopt;  // LAPACK found V exactly singular
  }
}

// Product-form Denman-Beavers iteration with determinant scaling (Higham, Functions of Matrices,
// eq. 6.29): converges quadratically to the principal root of any matrix, defective or not, with
// no eigenvalue on the closed negative real axis.
std::optional<torch::Tensor> denman_beavers_sqrt(const torch::Tensor& a) {
  const std::int64_t n = a.size(0);
  const torch::Tensor eye = torch::eye(n, a.options());
  torch::Tensor x = a.clone();
  torch::Tensor m = a.clone();
  try {
    for (int iteration = 0; iteration < kDenmanBeaversIterations; ++iteration) {
      const double log_det = std::get<1>(torch::linalg::slogdet(m)).item<double>();
      if (!std::isfinite(log_det)) return std::nullopt;  // singular: no convergence
      const double mu = std::exp(-log_det / (2.0 * static_cast<double>(n)));
      const torch::Tensor m_inv = torch::linalg::inv(m);
      x = 0.5 * mu * x.mm(eye + m_inv / (mu * mu));
      m = 0.5 * (eye + (mu * mu * m + m_inv / (mu * mu)) * 0.5);
      if ((m - eye).norm().item<double>() < 1e-14 * static_cast<double>(n)) break;
    }
  } catch (const c10::Error&) {
    return std::nullopt;
  }
  return x;
}

// The PSD square root of a symmetric matrix, with negative eigenvalues (rounding noise of a
// singular covariance) taken as 0.
torch::Tensor psd_sqrt(const torch::Tensor& symmetric) {
  auto [values, vectors] = torch::linalg::eigh(symmetric, "L");
  return (vectors * values.clamp_min(0).sqrt().unsqueeze(0)).mm(vectors.t());
}

// Checks one FeatureStats and returns D.
std::int64_t stats_dimension(const FeatureStats& stats, const char* which) {
  if (!stats.mean.defined() || !stats.cov.defined() || stats.mean.dim() != 1 || stats.cov.dim() != 2 ||
      stats.cov.size(0) != stats.mean.size(0) || stats.cov.size(1) != stats.mean.size(0)) {
    throw RuntimeError(fmt::format("frechet_distance: statistics {} must have mean [D] and cov [D, D], got {} and {}",
                                   which, stats.mean.defined() ? shape_text(stats.mean) : "none",
                                   stats.cov.defined() ? shape_text(stats.cov) : "none"));
  }
  return stats.mean.size(0);
}

}  // namespace

void FeatureStatsAccumulator::add(const torch::Tensor& batch) {
  if (batch.dim() != 2) {
    throw RuntimeError(fmt::format("feature batch must be [B, D], got shape {}", shape_text(batch)));
  }
  if (!batch.is_floating_point()) {
    throw RuntimeError(fmt::format("feature batch must be floating point, got {}", c10::toString(batch.scalar_type())));
  }
  if (features_ >= 0 && batch.size(1) != features_) {
    throw RuntimeError(fmt::format("feature sizes differ: batch has {}, earlier batches {}", batch.size(1), features_));
  }
  features_ = batch.size(1);
  if (batch.size(0) == 0) return;

  const torch::Tensor x = as_cpu_double(batch);
  if (!torch::isfinite(x).all().item<bool>()) {
    throw RuntimeError("feature batch holds NaN or infinite values");
  }
  if (!shift_.defined()) {
    shift_ = x.mean(0);
    sum_ = torch::zeros_like(shift_);
    outer_sum_ = torch::zeros({features_, features_}, x.options());
  }
  const torch::Tensor centred = x - shift_;
  sum_ += centred.sum(0);
  outer_sum_.addmm_(centred.t(), centred);
  count_ += batch.size(0);
}

FeatureStats FeatureStatsAccumulator::finish() const {
  if (count_ < 2) {
    throw RuntimeError(fmt::format("feature statistics need at least 2 feature rows, got {}", count_));
  }
  const double n = static_cast<double>(count_);
  FeatureStats stats;
  stats.mean = shift_ + sum_ / n;
  // Σ (y - ȳ)(y - ȳ)^T = Σ y y^T - n ȳ ȳ^T, with y = x - shift.
  stats.cov = symmetric_part((outer_sum_ - torch::outer(sum_, sum_) / n) / (n - 1));
  stats.count = count_;
  return stats;
}

FeatureStats feature_stats(const torch::Tensor& features) {
  FeatureStatsAccumulator accumulator;
  accumulator.add(features);
  return accumulator.finish();
}

torch::Tensor matrix_sqrt(const torch::Tensor& a) {
  if (a.dim() != 2 || a.size(0) != a.size(1)) {
    throw RuntimeError(fmt::format("matrix_sqrt needs a square matrix, got shape {}", shape_text(a)));
  }
  const torch::Tensor matrix = as_cpu_double(a);
  if (!torch::isfinite(matrix).all().item<bool>()) {
    throw RuntimeError("matrix_sqrt: the matrix holds NaN or infinite values");
  }
  const double a_norm = matrix.norm().item<double>();
  if (a_norm == 0.0) return torch::zeros_like(matrix);

  std::optional<torch::Tensor> best = eigen_sqrt(matrix);
  double best_residual = best ? sqrt_residual(*best, matrix, a_norm) : std::numeric_limits<double>::infinity();
  if (best_residual > kResidualGood) {
    const std::optional<torch::Tensor> iterated = denman_beavers_sqrt(matrix);
    const double residual =
        iterated ? sqrt_residual(*iterated, matrix, a_norm) : std::numeric_limits<double>::infinity();
    if (residual < best_residual) {
      best = iterated;
      best_residual = residual;
    }
  }
  if (!best || best_residual > kResidualLimit) {
    throw RuntimeError(
        fmt::format("matrix_sqrt: no accurate real square root of the {}x{} matrix (relative residual {:.3g}, "
                    "limit {:g}); it may be singular and defective, or have negative real eigenvalues",
                    matrix.size(0), matrix.size(1), best_residual, kResidualLimit));
  }
  return *best;
}

double frechet_distance(const FeatureStats& a, const FeatureStats& b) {
  const std::int64_t dim_a = stats_dimension(a, "a");
  const std::int64_t dim_b = stats_dimension(b, "b");
  if (dim_a != dim_b) {
    throw RuntimeError(fmt::format("feature sizes differ: {} vs {}", dim_a, dim_b));
  }
  const torch::Tensor cov_a = symmetric_part(as_cpu_double(a.cov));
  const torch::Tensor cov_b = symmetric_part(as_cpu_double(b.cov));
  const torch::Tensor diff = as_cpu_double(a.mean) - as_cpu_double(b.mean);

  // tr sqrtm(S_a S_b) = tr sqrtm(S_a^½ S_b S_a^½): the two products are similar when S_a is
  // invertible, and the second is symmetric PSD, so its eigenvalues are real and >= 0.
  const torch::Tensor root_a = psd_sqrt(cov_a);
  const torch::Tensor product = symmetric_part(root_a.mm(cov_b).mm(root_a));
  const double trace_sqrt = torch::linalg::eigvalsh(product, "L").clamp_min(0).sqrt().sum().item<double>();

  const double distance =
      diff.dot(diff).item<double>() + cov_a.trace().item<double>() + cov_b.trace().item<double>() - 2.0 * trace_sqrt;
  // The true value is a squared distance; rounding can take identical statistics below 0.
  return std::max(distance, 0.0);
}

}  // namespace synthgen::metrics
