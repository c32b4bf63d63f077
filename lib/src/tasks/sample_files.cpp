#include "sample_files.h"

#include <fmt/format.h>

#include <ATen/Parallel.h>

#include <atomic>
#include <mutex>
#include <numeric>

#include "synthgen/core/error.h"
#include "synthgen/io/image_tensor.h"

namespace synthgen {

int decimal_digits(std::int64_t value) {
  int count = 1;
  while (value >= 10) {
    value /= 10;
    ++count;
  }
  return count;
}

std::string numbered_png(std::int64_t index, int width) { return fmt::format("{:0{}d}.png", index, width); }

std::vector<std::string> numbered_outputs(std::int64_t count, int width) {
  std::vector<std::string> outputs;
  outputs.reserve(static_cast<std::size_t>(count) + 1);
  for (std::int64_t i = 0; i < count; ++i) outputs.push_back(numbered_png(i, width));
  outputs.push_back("manifest.csv");
  return outputs;
}

void write_numbered_pngs(const std::filesystem::path& out, int width, std::int64_t first, const torch::Tensor& images,
                         std::int64_t done_before, std::int64_t total) {
  std::vector<std::int64_t> indices(static_cast<std::size_t>(images.size(0)));
  std::iota(indices.begin(), indices.end(), first);
  write_indexed_pngs(out, width, indices, io::to_uint8_images(images), done_before, total);
}

void write_indexed_pngs(const std::filesystem::path& out, int width, const std::vector<std::int64_t>& indices,
                        const torch::Tensor& uint8_images, std::int64_t done_before, std::int64_t total) {
  // HWC bytes, so that the worker threads below touch plain memory and no tensors.
  const torch::Tensor pixels = uint8_images.permute({0, 2, 3, 1}).contiguous();
  const std::int64_t count = pixels.size(0);
  if (count == 0) return;
  const std::size_t image_bytes = static_cast<std::size_t>(pixels[0].numel());
  const std::uint8_t* base = pixels.data_ptr<std::uint8_t>();
  io::Image shape;
  shape.height = static_cast<int>(pixels.size(1));
  shape.width = static_cast<int>(pixels.size(2));
  shape.channels = static_cast<int>(pixels.size(3));
  // PNG encoding and writing dominate for small images: spread them over the threads.
  std::atomic<bool> failed{false};
  std::atomic<std::int64_t> written{0};  // images of this batch written in full
  std::string failure;
  std::mutex failure_mutex;
  at::parallel_for(0, count, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end && !failed; ++i) {
      try {
        io::Image image = shape;
        image.pixels.assign(base + i * image_bytes, base + (i + 1) * image_bytes);
        io::write_png((out / numbered_png(indices[static_cast<std::size_t>(i)], width)).string(), image);
        ++written;
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failed.exchange(true)) failure = e.what();
      }
    }
  });
  if (failed) {
    throw RuntimeError(fmt::format("{}; {} of {} images were written in full, no manifest.csv", failure,
                                   done_before + written.load(), total));
  }
}

void write_grid_png(const std::string& path, const torch::Tensor& images) {
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!folder.empty()) std::filesystem::create_directories(folder, ec);
  if (ec) throw RuntimeError(fmt::format("cannot create '{}': {}", folder.string(), ec.message()));
  io::write_png(path, io::make_grid(io::to_uint8_images(images)));
}

}  // namespace synthgen
