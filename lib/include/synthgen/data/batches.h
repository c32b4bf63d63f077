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

// Random changes of training images, each drawn per image from (seed, the image's place in the
// index stream): reproducible without state, and a resumed run draws what the uninterrupted one
// would.
struct BatchAugmentation {
  bool flip = false;  // mirror left-right when a hash of (seed, place) is odd (data.random_flip)
  int shift = 0;      // translate by up to this many pixels in x and y, black border (data.random_shift)
};
BatchAugmentation batch_augmentation(const DataConfig& data);

// Float images in [-1, 1] (x / 127.5 - 1), [B, C, H, W], image b augmented with place
// stream_offset + b: flipped first, then shifted.
torch::Tensor gather_batch(const ImageDataset& data, const std::vector<std::int64_t>& indices,
                           const BatchAugmentation& augmentation, std::uint64_t seed, std::int64_t stream_offset);

// A translation of an image by dy rows (down when positive) and dx columns (right when positive).
struct ImageShift {
  int dy = 0;
  int dx = 0;
};

// The shift of the image at stream place `key`: dy and dx uniform in [-max_pixels, max_pixels],
// as torchvision's RandomCrop(size, padding=max_pixels) picks its window.
ImageShift random_shift_of(std::uint64_t seed, std::uint64_t key, int max_pixels);

// `image` [..., H, W] moved by `shift`, the uncovered border zero (black in uint8): the window of
// the image zero-padded by |shift| that starts at (pad - dy, pad - dx).
torch::Tensor shift_image(const torch::Tensor& image, const ImageShift& shift);

// Mixed into the shift's hash so that its draws are apart from the flip's.
constexpr std::uint64_t kShiftSalt = 0x5f1f7ab1e5ULL;

// int64 [B] labels of the indices, or an undefined tensor for unlabelled data.
torch::Tensor gather_labels(const ImageDataset& data, const std::vector<std::int64_t>& indices);

// SplitMix64: a fast, well-mixed 64-bit hash / generator step (Steele et al. 2014).
std::uint64_t splitmix64(std::uint64_t x);

// A permutation of 0..count-1: Fisher-Yates from the last place down, place i swapped with
// j = (s * (i + 1)) >> 64 where s is the next SplitMix64 step from `seed` (Lemire's mapping).
// IndexStream's epochs and balanced subsets draw their orders with it.
std::vector<std::int64_t> seeded_permutation(std::int64_t count, std::uint64_t seed);

}  // namespace synthgen::data
