#include "synthgen/data/batches.h"

#include <fmt/format.h>

#include <numeric>

#include "synthgen/core/error.h"

namespace synthgen::data {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

IndexStream::IndexStream(std::int64_t dataset_size, std::uint64_t seed) : size_(dataset_size), seed_(seed) {
  if (dataset_size < 1) throw RuntimeError("cannot draw batches from an empty data set");
  shuffle_epoch();
}

void IndexStream::shuffle_epoch() {
  order_.resize(static_cast<std::size_t>(size_));
  std::iota(order_.begin(), order_.end(), 0);
  std::uint64_t state = splitmix64(seed_ ^ splitmix64(static_cast<std::uint64_t>(state_.epoch)));
  for (std::int64_t i = size_ - 1; i > 0; --i) {
    state = splitmix64(state);
    // Lemire's multiply-shift maps 64 random bits to [0, i]; the bias (< 2^-40 here) is irrelevant.
    const auto j = static_cast<std::int64_t>(
        (static_cast<unsigned __int128>(state) * static_cast<unsigned __int128>(i + 1)) >> 64);
    std::swap(order_[static_cast<std::size_t>(i)], order_[static_cast<std::size_t>(j)]);
  }
}

std::vector<std::int64_t> IndexStream::next(std::int64_t count) {
  if (count < 0) throw RuntimeError(fmt::format("IndexStream::next: negative count {}", count));
  std::vector<std::int64_t> indices;
  indices.reserve(static_cast<std::size_t>(count));
  while (static_cast<std::int64_t>(indices.size()) < count) {
    if (state_.position == size_) {
      ++state_.epoch;
      state_.position = 0;
      shuffle_epoch();
    }
    indices.push_back(order_[static_cast<std::size_t>(state_.position++)]);
  }
  return indices;
}

void IndexStream::restore(const State& state) {
  if (state.epoch < 0 || state.position < 0 || state.position > size_) {
    throw RuntimeError(fmt::format("data position (epoch {}, index {}) does not fit a data set of {} images",
                                   state.epoch, state.position, size_));
  }
  state_ = state;
  shuffle_epoch();
}

torch::Tensor gather_batch(const ImageDataset& data, const std::vector<std::int64_t>& indices, bool random_flip,
                           std::uint64_t flip_seed, std::int64_t stream_offset) {
  const torch::Tensor index = torch::tensor(indices, torch::kInt64);
  torch::Tensor batch = data.images.index_select(0, index);
  if (random_flip) {
    std::vector<std::int64_t> flipped;
    for (std::size_t b = 0; b < indices.size(); ++b) {
      const auto key = static_cast<std::uint64_t>(stream_offset) + b;
      if (splitmix64(flip_seed ^ splitmix64(key)) & 1) flipped.push_back(static_cast<std::int64_t>(b));
    }
    if (!flipped.empty()) {
      // Flipped while still uint8: a quarter of the bytes of the float batch.
      const torch::Tensor rows = torch::tensor(flipped, torch::kInt64);
      batch.index_copy_(0, rows, batch.index_select(0, rows).flip({3}));
    }
  }
  return batch.to(torch::kFloat).div_(127.5).sub_(1.0);
}

torch::Tensor gather_labels(const ImageDataset& data, const std::vector<std::int64_t>& indices) {
  if (!data.labels.defined()) return {};
  return data.labels.index_select(0, torch::tensor(indices, torch::kInt64));
}

}  // namespace synthgen::data
