#include "synthgen/eval/copy_grid.h"

#include <algorithm>
#include <vector>

#include "synthgen/core/log.h"
#include "synthgen/io/image_tensor.h"

namespace synthgen::eval {

void write_copy_grid(const std::string& path, ImageSource& generated, ImageSource& training,
                     const metrics::NearestNeighbours& nearest) {
  const std::int64_t pairs = std::min<std::int64_t>(kCopyGridPairs, nearest.distance.numel());
  const torch::Tensor order = nearest.distance.argsort().narrow(0, 0, pairs);
  std::vector<std::int64_t> generated_rows;
  std::vector<std::int64_t> training_rows;
  for (std::int64_t i = 0; i < pairs; ++i) {
    const std::int64_t row = order[i].item<std::int64_t>();
    generated_rows.push_back(row);
    training_rows.push_back(nearest.index[row].item<std::int64_t>());
  }
  const torch::Tensor training_images = training.images_at(training_rows).images;
  torch::Tensor generated_images = generated.images_at(generated_rows).images;
  ImageFormat format;
  format.channels = static_cast<int>(std::max(training_images.size(1), generated_images.size(1)));
  format.size = static_cast<int>(training_images.size(2));
  // (generated, training) side by side: interleaved rows of one tensor.
  const torch::Tensor interleaved =
      torch::stack({conform_images(generated_images, format), conform_images(training_images, format)}, 1)
          .flatten(0, 1);
  io::write_png(path, io::make_grid(interleaved, /*columns=*/8));
  log_info("wrote the {} closest (generated, training) pairs to {}", pairs, path);
}

}  // namespace synthgen::eval
