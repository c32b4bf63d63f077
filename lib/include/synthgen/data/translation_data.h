// Data of the translation families. Both sources hold each training example as one uint8 image of
// 2C channels, A's C channels then B's, at data.load_size (or data.image_size): the loop's flips
// then mirror A and B together, and translation_crop cuts both at the same place.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "synthgen/data/dataset.h"

namespace synthgen::data {

// data.source paired: `path`/A and `path`/B with matching relative names (extensions may differ),
// or else every image under `path` holding A and B side by side (left half A, right half B; the
// pix2pix data sets' format), each of width 2 x height. A pair with an unreadable side, or an A
// without its B, is skipped with a warning naming the file; a side-by-side image of any other
// shape is a UsageError naming it and the two layouts.
ImageDataset load_paired_folder(const DataConfig& cfg, int threads, LoadStats* stats);

// data.source unpaired: `path`/trainA and `path`/trainB (CycleGAN's layout; A/ and B/ also
// work), any counts. Example i joins A[i mod N_A] and B[i mod N_B], N = max(N_A, N_B) examples:
// every image of both domains is used each epoch, and the pairing means nothing (the losses never
// compare an A with a B).
ImageDataset load_unpaired_folder(const DataConfig& cfg, int threads, LoadStats* stats);

// pix2pix's jitter after the resize: one random size x size crop per example of `batch`
// [B, 2C, L, L], at the same place in A and B (both are channels of one tensor). Draws from the
// default generator. L == size returns `batch`.
torch::Tensor translation_crop(const torch::Tensor& batch, int size);

// The A and B halves (channels) of a batch of examples.
torch::Tensor domain_a(const torch::Tensor& batch);
torch::Tensor domain_b(const torch::Tensor& batch);

}  // namespace synthgen::data
