// Inception Score (Salimans et al. 2016): exp(E_x KL(p(y|x) || p(y))), from class probabilities
// of the generated images, as torch-fidelity and stylegan2-ada compute it.
#pragma once

#include <torch/torch.h>

namespace synthgen::metrics {

struct InceptionScoreResult {
  double mean;  // mean score over the splits; 1 (uninformative) up to K (confident and balanced)
  double std;   // population standard deviation (ddof = 0) over the splits
  int splits;
};

// probabilities: [N, K] rows of class probabilities (softmax outputs; any float dtype, computed in
// float64). The rows are cut into `splits` contiguous parts, part i holding rows
// [i·N/splits, (i+1)·N/splits) (stylegan2-ada's split), and each part scores
// exp(mean over rows of Σ_k p log(p / p̄)), with p̄ the part's mean row and 0·log 0 = 0.
// Throws RuntimeError when splits < 1, N < splits, or a row has negative entries or does not sum
// to 1 within 1e-3.
InceptionScoreResult inception_score(const torch::Tensor& probabilities, int splits = 10);

}  // namespace synthgen::metrics
