#include "synthgen/data/balanced_subset.h"

#include <fmt/format.h>

#include <algorithm>

#include "synthgen/core/error.h"
#include "synthgen/data/batches.h"

namespace synthgen::data {
namespace {

// Images of class k in a balanced subset of `count` images of `classes` classes.
std::int64_t share_of_class(std::int64_t k, std::int64_t count, std::int64_t classes) {
  return count / classes + (k < count % classes ? 1 : 0);
}

// The largest count whose every class share fits the class sizes.
std::int64_t largest_balanced_count(const std::vector<std::int64_t>& sizes) {
  const auto classes = static_cast<std::int64_t>(sizes.size());
  const std::int64_t smallest = *std::min_element(sizes.begin(), sizes.end());
  // smallest per class, plus one for each leading class that has more than that.
  std::int64_t extra = 0;
  while (extra < classes && sizes[static_cast<std::size_t>(extra)] > smallest) ++extra;
  return classes * smallest + extra;
}

}  // namespace

std::vector<std::int64_t> balanced_subset(const torch::Tensor& labels, const std::vector<std::string>& class_names,
                                          std::int64_t count, std::uint64_t seed, const std::string& what) {
  const auto classes = static_cast<std::int64_t>(class_names.size());
  if (!labels.defined() || classes == 0) {
    throw UsageError(fmt::format("{}: a balanced subset needs labelled images, and these have no labels", what));
  }
  if (count < classes) {
    throw UsageError(
        fmt::format("{}: a balanced subset of {} images cannot hold one image of each of the {} classes: "
                    "expected at least {}",
                    what, count, classes, classes));
  }
  const torch::Tensor flat = labels.to(torch::kInt64).contiguous();
  const std::int64_t* label = flat.data_ptr<std::int64_t>();
  std::vector<std::vector<std::int64_t>> members(static_cast<std::size_t>(classes));
  for (std::int64_t i = 0; i < flat.numel(); ++i) {
    if (label[i] < 0 || label[i] >= classes) {
      throw RuntimeError(fmt::format("{}: image {} has label {}, outside 0..{}", what, i, label[i], classes - 1));
    }
    members[static_cast<std::size_t>(label[i])].push_back(i);
  }
  std::vector<std::int64_t> sizes;
  for (const auto& of_class : members) sizes.push_back(static_cast<std::int64_t>(of_class.size()));
  std::vector<std::int64_t> chosen;
  chosen.reserve(static_cast<std::size_t>(count));
  for (std::int64_t k = 0; k < classes; ++k) {
    const std::vector<std::int64_t>& of_class = members[static_cast<std::size_t>(k)];
    const std::int64_t share = share_of_class(k, count, classes);
    if (share > static_cast<std::int64_t>(of_class.size())) {
      throw UsageError(
          fmt::format("{}: a balanced subset of {} images takes {} of class {} ('{}'), which has {}: "
                      "expected at most {} images",
                      what, count, share, k, class_names[static_cast<std::size_t>(k)], of_class.size(),
                      largest_balanced_count(sizes)));
    }
    const std::vector<std::int64_t> order = seeded_permutation(static_cast<std::int64_t>(of_class.size()),
                                                               splitmix64(seed ^ splitmix64(kSubsetClassSalt + k)));
    for (std::int64_t i = 0; i < share; ++i) {
      chosen.push_back(of_class[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])]);
    }
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

std::string per_class_text(std::int64_t count, std::int64_t num_classes) {
  const std::int64_t base = count / num_classes;
  return count % num_classes == 0 ? fmt::format("{} per class", base)
                                  : fmt::format("{} or {} per class", base, base + 1);
}

ImageDataset take_balanced_subset(const ImageDataset& dataset, std::int64_t count, std::uint64_t seed,
                                  const std::string& what) {
  const torch::Tensor index =
      torch::tensor(balanced_subset(dataset.labels, dataset.class_names, count, seed, what), torch::kInt64);
  ImageDataset subset;
  subset.images = dataset.images.index_select(0, index).contiguous();
  subset.labels = dataset.labels.index_select(0, index).contiguous();
  subset.class_names = dataset.class_names;
  return subset;
}

}  // namespace synthgen::data
