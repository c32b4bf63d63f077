#include "synthgen/train/preview_pairs.h"

#include <algorithm>

namespace synthgen::train {

void PreviewPairs::collect(const torch::Tensor& real_a, const torch::Tensor& real_b) {
  const std::int64_t have = empty() ? 0 : a_.size(0);
  const std::int64_t take = std::min(kRows - have, real_a.size(0));
  if (take <= 0) return;
  const torch::Tensor a = real_a.slice(0, 0, take).detach().clone();
  const torch::Tensor b = real_b.slice(0, 0, take).detach().clone();
  a_ = have == 0 ? a : torch::cat({a_, a});
  b_ = have == 0 ? b : torch::cat({b_, b});
}

void PreviewPairs::save(torch::serialize::OutputArchive& archive) const {
  if (empty()) return;
  archive.write("preview_a", a_);
  archive.write("preview_b", b_);
}

void PreviewPairs::load(torch::serialize::InputArchive& archive, const torch::Device& device) {
  torch::Tensor a;
  torch::Tensor b;
  if (archive.try_read("preview_a", a) && archive.try_read("preview_b", b)) {
    a_ = a.to(device);
    b_ = b.to(device);
  }
}

}  // namespace synthgen::train
