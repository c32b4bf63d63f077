// The fixed (A, B) examples a translation trainer (pix2pix, cyclegan) shows in its preview grids:
// the first pairs it trains on, kept in its checkpoints so that grids after a resume show the
// same examples.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace synthgen::train {

class PreviewPairs {
 public:
  // Up to this many examples make the rows of the preview grids.
  static constexpr std::int64_t kRows = 8;

  // Keeps examples of a training batch until kRows are held.
  void collect(const torch::Tensor& real_a, const torch::Tensor& real_b);
  bool empty() const { return !a_.defined(); }
  const torch::Tensor& a() const { return a_; }
  const torch::Tensor& b() const { return b_; }
  void save(torch::serialize::OutputArchive& archive) const;
  // Checkpoints written before any step hold none; the pairs then stay empty.
  void load(torch::serialize::InputArchive& archive, const torch::Device& device);

 private:
  torch::Tensor a_;
  torch::Tensor b_;
};

}  // namespace synthgen::train
