// Seeded, class-balanced subsets of a labelled set: what `fashion-mnist:train:1000` (eval) and
// `data.subset: 1000` (train) both name, chosen by this one function so that the two are the same
// images.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "synthgen/data/dataset.h"

namespace synthgen::data {

// The subset seed when none is given: the same spec always means the same images.
constexpr std::uint64_t kDefaultSubsetSeed = 0;

// The ascending indices of a balanced subset of `count` images of a set with int64 `labels` [N] in
// 0..K-1 (K = class_names.size()): count / K images of each class, the first count mod K classes
// one more. Class k's images are the first of its indices (ascending) in the order of
// seeded_permutation(size of class k, splitmix64(seed ^ splitmix64(kSubsetClassSalt + k))), so a
// larger count keeps a smaller one's images. Throws UsageError, starting with `what` (the spec or
// key), for count < K or a class with fewer images than its share.
std::vector<std::int64_t> balanced_subset(const torch::Tensor& labels, const std::vector<std::string>& class_names,
                                          std::int64_t count, std::uint64_t seed, const std::string& what);

// Mixed into each class's seed: keeps the classes' permutations apart from IndexStream's epochs,
// which hash (seed, epoch) the same way.
constexpr std::uint64_t kSubsetClassSalt = 0x5ab5e7c1a55ULL;

// Images per class of a balanced subset of `count` images of `num_classes` classes, for reports:
// "100 per class", "100 or 101 per class".
std::string per_class_text(std::int64_t count, std::int64_t num_classes);

// `dataset` cut to balanced_subset(...) of its labels (class names kept).
ImageDataset take_balanced_subset(const ImageDataset& dataset, std::int64_t count, std::uint64_t seed,
                                  const std::string& what);

}  // namespace synthgen::data
