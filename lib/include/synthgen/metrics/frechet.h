// Fréchet distance between Gaussians fitted to two feature sets: FID when the features are
// Inception-v3 pool features (Heusel et al. 2017). All statistics are float64 on the CPU.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::metrics {

// Mean and covariance of a feature set of `count` rows.
struct FeatureStats {
  torch::Tensor mean;      // [D] float64
  torch::Tensor cov;       // [D, D] float64, unbiased (divides by count - 1), as np.cov(rowvar=False)
  std::int64_t count = 0;  // rows the statistics were computed from
};

// Collects FeatureStats from feature batches without keeping the features: memory is O(D²)
// however many batches are added. The sums are float64 and taken about the first batch's mean,
// so that a large common offset does not cancel precision away.
class FeatureStatsAccumulator {
 public:
  // batch: [B, D], any real dtype and device; every batch must have the same D. B may be 0.
  // Throws RuntimeError on a wrong rank, a different D, or a non-finite value.
  void add(const torch::Tensor& batch);

  // Rows added so far.
  std::int64_t count() const { return count_; }

  // The statistics of every row added. Needs at least 2 rows (RuntimeError otherwise).
  FeatureStats finish() const;

 private:
  torch::Tensor shift_;         // [D] the first non-empty batch's mean
  torch::Tensor sum_;           // [D] sum of (x - shift)
  torch::Tensor outer_sum_;     // [D, D] sum of (x - shift)(x - shift)^T
  std::int64_t features_ = -1;  // D, once known
  std::int64_t count_ = 0;
};

// FeatureStats of one [N, D] feature tensor (N >= 2).
FeatureStats feature_stats(const torch::Tensor& features);

// The principal square root X (X·X = A, eigenvalues with non-negative real part) of a real square
// matrix, as scipy.linalg.sqrtm gives, float64. Computed from the complex eigendecomposition;
// where that is inaccurate (defective matrices) a scaled Denman-Beavers iteration is tried too.
// Throws RuntimeError when neither gives ||X·X - A||_F <= 1e-6 ||A||_F with a real X: A is then
// singular and defective, or has negative real eigenvalues (no real principal root).
torch::Tensor matrix_sqrt(const torch::Tensor& a);

// ||mu_a - mu_b||² + tr(S_a) + tr(S_b) - 2 tr(sqrtm(S_a S_b)). The trace term is taken as the sum
// of square roots of the eigenvalues of the symmetric S_a^½ S_b S_a^½ (negative ones, rounding
// noise, count as 0), which stays accurate when the covariances are singular (fewer rows than
// features) where sqrtm(S_a S_b) itself is not. Throws RuntimeError "feature sizes differ: D_a vs
// D_b" when the dimensions do not match.
double frechet_distance(const FeatureStats& a, const FeatureStats& b);

}  // namespace synthgen::metrics
