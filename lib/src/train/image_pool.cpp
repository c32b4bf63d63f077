#include "synthgen/train/image_pool.h"

namespace synthgen::train {

ImagePool::ImagePool(int capacity) : capacity_(capacity) {}

torch::Tensor ImagePool::query(const torch::Tensor& images) {
  if (capacity_ == 0) return images;
  torch::NoGradGuard no_grad;
  if (!stored_.defined()) {
    std::vector<std::int64_t> shape = images.sizes().vec();
    shape[0] = capacity_;
    stored_ = torch::zeros(shape, images.options());
  }
  std::vector<torch::Tensor> returned;
  for (std::int64_t i = 0; i < images.size(0); ++i) {
    const torch::Tensor image = images[i];
    if (count_ < capacity_) {
      stored_[count_].copy_(image);
      ++count_;
      returned.push_back(image);
    } else if (torch::rand({1}).item<double>() > 0.5) {
      const std::int64_t pick = torch::randint(capacity_, {1}).item<std::int64_t>();
      returned.push_back(stored_[pick].clone());
      stored_[pick].copy_(image);
    } else {
      returned.push_back(image);
    }
  }
  return torch::stack(returned);
}

void ImagePool::save(torch::serialize::OutputArchive& archive, const std::string& name) const {
  if (stored_.defined()) archive.write(name, stored_.slice(0, 0, count_).contiguous());
}

void ImagePool::load(torch::serialize::InputArchive& archive, const std::string& name, const torch::Device& device) {
  torch::Tensor stored;
  if (!archive.try_read(name, stored) || stored.size(0) == 0) return;
  count_ = std::min<std::int64_t>(stored.size(0), capacity_);
  std::vector<std::int64_t> shape = stored.sizes().vec();
  shape[0] = capacity_;
  stored_ = torch::zeros(shape, stored.options().device(device));
  stored_.slice(0, 0, count_).copy_(stored.slice(0, 0, count_));
}

}  // namespace synthgen::train
