// Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of the squared MMD
// between two feature sets under the cubic polynomial kernel k(x, y) = (x·y / D + 1)³, averaged
// over random subsets, as torch-fidelity and stylegan2-ada compute it.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::metrics {

struct KidResult {
  double mean;               // mean MMD² over the subsets (can be slightly negative: unbiased)
  double std;                // population standard deviation (ddof = 0) over the subsets
  std::int64_t subset_size;  // m = min(rows of real, rows of fake, max_subset_size)
  std::int64_t num_subsets;  // 1 when m is the size of both sets (every subset would be the same)
};

// real [N_r, D], fake [N_f, D], any float dtype; computed in float64 on the CPU. Each subset draws
// m rows without replacement from each set, from a generator seeded with `seed` only (the global
// torch RNG is neither used nor changed). When m equals the size of both sets, every subset would
// be both whole sets, so one is computed (num_subsets 1, std 0). Per subset:
//   (ΣK_xx - tr K_xx) / (m(m-1)) + (ΣK_yy - tr K_yy) / (m(m-1)) - 2 ΣK_xy / m².
// Costs about 3·num_subsets·m²·D multiply-adds. Throws RuntimeError for fewer than 2 rows in
// either set, different feature sizes, num_subsets < 1 or max_subset_size < 2.
KidResult kernel_inception_distance(const torch::Tensor& real, const torch::Tensor& fake,
                                    std::int64_t num_subsets = 100, std::int64_t max_subset_size = 1000,
                                    std::uint64_t seed = 0);

}  // namespace synthgen::metrics
