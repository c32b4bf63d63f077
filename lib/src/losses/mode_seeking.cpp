#include "synthgen/losses/mode_seeking.h"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "synthgen/core/error.h"

namespace synthgen::losses {

torch::Tensor same_class_partners(const torch::Tensor& labels, std::int64_t batch) {
  std::vector<std::int64_t> classes(static_cast<std::size_t>(batch), 0);
  if (labels.defined()) {
    if (labels.numel() != batch) {
      throw UsageError(fmt::format("mode_seeking_penalty: {} labels for a batch of {}", labels.numel(), batch));
    }
    const torch::Tensor cpu = labels.to(torch::kCPU, torch::kLong).contiguous();
    const std::int64_t* values = cpu.data_ptr<std::int64_t>();
    classes.assign(values, values + batch);
  }
  std::map<std::int64_t, std::vector<std::int64_t>> members;
  for (std::int64_t i = 0; i < batch; ++i) members[classes[static_cast<std::size_t>(i)]].push_back(i);
  std::vector<std::int64_t> partners(static_cast<std::size_t>(batch));
  for (const auto& [label, indices] : members) {
    for (std::size_t k = 0; k < indices.size(); ++k) {
      partners[static_cast<std::size_t>(indices[k])] = indices[(k + 1) % indices.size()];
    }
  }
  return torch::tensor(partners, torch::kLong);
}

torch::Tensor mode_seeking_penalty(const torch::Tensor& images, const torch::Tensor& latents,
                                   const torch::Tensor& labels) {
  const std::int64_t batch = images.size(0);
  if (latents.size(0) != batch) {
    throw UsageError(fmt::format("mode_seeking_penalty: {} latents for {} images", latents.size(0), batch));
  }
  const torch::Tensor partners = same_class_partners(labels, batch);
  const torch::Tensor paired = torch::nonzero(partners != torch::arange(batch)).flatten();
  if (paired.numel() == 0) return torch::zeros({}, images.options().dtype(torch::kFloat));
  const torch::Tensor first = paired.to(images.device());
  const torch::Tensor second = partners.index_select(0, paired).to(images.device());
  const torch::Tensor flat_images = images.to(torch::kFloat).flatten(1);
  const torch::Tensor flat_latents = latents.to(torch::kFloat).flatten(1);
  const torch::Tensor image_distance =
      (flat_images.index_select(0, first) - flat_images.index_select(0, second)).abs().mean();
  const torch::Tensor latent_distance =
      (flat_latents.index_select(0, first) - flat_latents.index_select(0, second)).abs().mean();
  return 1.0 / (image_distance / latent_distance + 1e-5);
}

}  // namespace synthgen::losses
