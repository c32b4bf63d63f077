// CycleGAN's history of generated images (Shrivastava et al. 2017): D sees a mix of the newest
// fakes and older ones, which damps oscillation between G and D.
#pragma once

#include <torch/torch.h>

namespace synthgen::train {

class ImagePool {
 public:
  explicit ImagePool(int capacity);

  // For each image of `images` [B, C, H, W] (detached): while the pool is not full it is stored
  // and returned; once full, with probability 1/2 a random stored image is returned and replaced
  // by it, otherwise it is returned itself. capacity 0 returns `images` unchanged. Random draws
  // come from the default CPU generator, which checkpoints keep, so a resumed run draws the same.
  torch::Tensor query(const torch::Tensor& images);

  std::int64_t size() const { return stored_.defined() ? count_ : 0; }
  int capacity() const { return capacity_; }

  void save(torch::serialize::OutputArchive& archive, const std::string& name) const;
  void load(torch::serialize::InputArchive& archive, const std::string& name, const torch::Device& device);

 private:
  int capacity_;
  std::int64_t count_ = 0;
  torch::Tensor stored_;  // [capacity, C, H, W] once the first image arrives; rows < count_ in use
};

}  // namespace synthgen::train
