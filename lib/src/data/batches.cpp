#include "synthgen/data/batches.h"

#include <fmt/format.h>

#include <cstdlib>
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

std::vector<std::int64_t> seeded_permutation(std::int64_t count, std::uint64_t seed) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  std::uint64_t state = seed;
  for (std::int64_t i = count - 1; i > 0; --i) {
    state = splitmix64(state);
    // Lemire's multiply-shift maps 64 random bits to [0, i]; the bias (< 2^-40 here) is irrelevant.
    const auto j = static_cast<std::int64_t>(
        (static_cast<unsigned __int128>(state) * static_cast<unsigned __int128>(i + 1)) >> 64);
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  return order;
}

void IndexStream::shuffle_epoch() {
  order_ = seeded_permutation(size_, splitmix64(seed_ ^ splitmix64(static_cast<std::uint64_t>(state_.epoch))));
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

BatchAugmentation batch_augmentation(const DataConfig& data) { return {data.random_flip, data.random_shift}; }

ImageShift random_shift_of(std::uint64_t seed, std::uint64_t key, int max_pixels) {
  // Two draws of their own, apart from the flip's hash of the same key.
  const std::uint64_t draw = splitmix64(seed ^ splitmix64(key ^ kShiftSalt));
  const auto span = static_cast<unsigned __int128>(2 * max_pixels + 1);
  ImageShift shift;
  shift.dy = static_cast<int>((static_cast<unsigned __int128>(draw) * span) >> 64) - max_pixels;
  shift.dx = static_cast<int>((static_cast<unsigned __int128>(splitmix64(draw)) * span) >> 64) - max_pixels;
  return shift;
}

torch::Tensor shift_image(const torch::Tensor& image, const ImageShift& shift) {
  const std::int64_t height = image.size(-2);
  const std::int64_t width = image.size(-1);
  torch::Tensor out = torch::zeros_like(image);
  // The rows and columns of `out` that the shifted image still covers.
  const std::int64_t rows = height - std::abs(shift.dy);
  const std::int64_t cols = width - std::abs(shift.dx);
  if (rows <= 0 || cols <= 0) return out;
  out.narrow(-2, std::max(0, shift.dy), rows)
      .narrow(-1, std::max(0, shift.dx), cols)
      .copy_(image.narrow(-2, std::max(0, -shift.dy), rows).narrow(-1, std::max(0, -shift.dx), cols));
  return out;
}

torch::Tensor gather_batch(const ImageDataset& data, const std::vector<std::int64_t>& indices,
                           const BatchAugmentation& augmentation, std::uint64_t seed, std::int64_t stream_offset) {
  const torch::Tensor index = torch::tensor(indices, torch::kInt64);
  torch::Tensor batch = data.images.index_select(0, index);
  // Flipped and shifted while still uint8: a quarter of the bytes of the float batch.
  if (augmentation.flip) {
    std::vector<std::int64_t> flipped;
    for (std::size_t b = 0; b < indices.size(); ++b) {
      const auto key = static_cast<std::uint64_t>(stream_offset) + b;
      if (splitmix64(seed ^ splitmix64(key)) & 1) flipped.push_back(static_cast<std::int64_t>(b));
    }
    if (!flipped.empty()) {
      const torch::Tensor rows = torch::tensor(flipped, torch::kInt64);
      batch.index_copy_(0, rows, batch.index_select(0, rows).flip({3}));
    }
  }
  if (augmentation.shift > 0) {
    for (std::size_t b = 0; b < indices.size(); ++b) {
      const auto key = static_cast<std::uint64_t>(stream_offset) + b;
      const auto row = static_cast<std::int64_t>(b);
      batch[row].copy_(shift_image(batch[row], random_shift_of(seed, key, augmentation.shift)));
    }
  }
  return batch.to(torch::kFloat).div_(127.5).sub_(1.0);
}

torch::Tensor gather_labels(const ImageDataset& data, const std::vector<std::int64_t>& indices) {
  if (!data.labels.defined()) return {};
  return data.labels.index_select(0, torch::tensor(indices, torch::kInt64));
}

}  // namespace synthgen::data
