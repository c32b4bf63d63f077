#include "synthgen/io/image_tensor.h"

#include <cmath>
#include <cstring>

#include "synthgen/io/file_io.h"

namespace synthgen::io {

torch::Tensor to_uint8_images(const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  return (images.detach().to(torch::kFloat) * 127.5 + 128.0)
      .clamp(0.0, 255.0)
      .to(torch::kUInt8)
      .to(torch::kCPU)
      .contiguous();
}

torch::Tensor to_model_input(const torch::Tensor& images, const torch::Device& device) {
  return images.to(device).to(torch::kFloat).div(127.5).sub(1.0);
}

torch::Tensor crop_border(const torch::Tensor& images, int border) {
  if (border == 0) return images;
  const std::int64_t height = images.size(-2) - 2 * border;
  const std::int64_t width = images.size(-1) - 2 * border;
  TORCH_CHECK(border > 0 && height > 0 && width > 0, "crop_border: border ", border, " does not fit in ",
              images.sizes());
  return images.narrow(-2, border, height).narrow(-1, border, width);
}

torch::Tensor image_to_tensor(const Image& image) {
  return torch::from_blob(const_cast<std::uint8_t*>(image.pixels.data()), {image.height, image.width, image.channels},
                          torch::kUInt8)
      .permute({2, 0, 1})
      .clone();
}

Image tensor_to_image(const torch::Tensor& chw) {
  const torch::Tensor hwc = chw.to(torch::kCPU).permute({1, 2, 0}).contiguous();
  Image image;
  image.channels = static_cast<int>(hwc.size(2));
  image.height = static_cast<int>(hwc.size(0));
  image.width = static_cast<int>(hwc.size(1));
  image.pixels.resize(static_cast<std::size_t>(hwc.numel()));
  std::memcpy(image.pixels.data(), hwc.data_ptr<std::uint8_t>(), image.pixels.size());
  return image;
}

Image make_grid(const torch::Tensor& images, int columns, int padding) {
  const std::int64_t count = images.size(0);
  if (columns <= 0) columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
  const std::int64_t rows = (count + columns - 1) / columns;
  const std::int64_t channels = images.size(1);
  const std::int64_t height = images.size(2);
  const std::int64_t width = images.size(3);
  torch::Tensor grid = torch::zeros(
      {channels, rows * (height + padding) + padding, columns * (width + padding) + padding}, torch::kUInt8);
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t top = (i / columns) * (height + padding) + padding;
    const std::int64_t left = (i % columns) * (width + padding) + padding;
    grid.narrow(1, top, height).narrow(2, left, width).copy_(images[i]);
  }
  return tensor_to_image(grid);
}

void write_png(const std::string& path, const Image& image) {
  const std::vector<std::uint8_t> bytes = encode_png(image);
  write_file_atomic(path, bytes.data(), bytes.size(), /*sync=*/false);
}

}  // namespace synthgen::io
