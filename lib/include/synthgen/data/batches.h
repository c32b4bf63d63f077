// Batches from the in-memory data set: the order of indices and the gathering of pixels.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "synthgen/data/dataset.h"

namespace synthgen::data {

// An endless stream of data set indices. Each epoch is a permutation drawn from (seed, epoch)
// with our own generator and Fisher-Yates shuffle (so the order does not depend on the standard
// library), and batches run across epoch boundaries, so any batch size works with any data size.
// Its whole state is two integers: exact resume is restoring them.
class IndexStream {
 public:
  struct State {
    std::int64_t epoch = 0;
    std::int64_t position = 0;  // next index within the epoch's permutation
  };

  IndexStream(std::int64_t dataset_size, std::uint64_t seed);
  std::vector<std::int64_t> next(std::int64_t count);
  State state() const { return state_; }
  void restore(const State& state);

 private:
  void shuffle_epoch();

  std::int64_t size_;
  std::uint64_t seed_;
  State state_;
  std::vector<std::int64_t> order_;  // the permutation of state_.epoch
};

// Float images in [-1, 1] (x / 127.5 - 1), [B, C, H, W]. With random_flip, image b is mirrored
// left-right when a hash of (flip_seed, stream_offset + b) is odd: reproducible without state.
torch::Tensor gather_batch(const ImageDataset& data, const std::vector<std::int64_t>& indices, bool random_flip,
                           std::uint64_t flip_seed, std::int64_t stream_offset);

// int64 [B] labels of the indices, or an undefined tensor for unlabelled data.
torch::Tensor gather_labels(const ImageDataset& data, const std::vector<std::int64_t>& indices);

// SplitMix64: a fast, well-mixed 64-bit hash / generator step (Steele et al. 2014).
std::uint64_t splitmix64(std::uint64_t x);

}  // namespace synthgen::data
